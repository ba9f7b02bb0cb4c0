package dev.spectrum.sql;

import java.time.OffsetDateTime;

/** One row of {@code analytics.pipeline_runs} (expiredSkipped: rows older than the event retention, not loaded; V17). */
public record PipelineRun(
        long runId,
        OffsetDateTime startedAt,
        OffsetDateTime finishedAt,
        long rawFrom,
        long rawTo,
        long eventsLoaded,
        long duplicatesSkipped,
        long expiredSkipped,
        String status,
        String error) {

    /** Number of staging rows the run covered (raw_from..raw_to). */
    public long stagingRows() {
        return Math.max(0, rawTo - rawFrom + 1);
    }
}
