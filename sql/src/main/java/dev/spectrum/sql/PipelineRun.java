package dev.spectrum.sql;

import java.time.OffsetDateTime;

/** One row of {@code analytics.pipeline_runs}. */
public record PipelineRun(
        long runId,
        OffsetDateTime startedAt,
        OffsetDateTime finishedAt,
        long rawFrom,
        long rawTo,
        long eventsLoaded,
        long duplicatesSkipped,
        String status,
        String error) {

    /** Number of staging rows the run covered (raw_from..raw_to). */
    public long stagingRows() {
        return Math.max(0, rawTo - rawFrom + 1);
    }
}
