package dev.spectrum.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Runs {@code CALL warehouse.run_pipeline()}. The work is all in SQL (V5__pipeline.sql); this
 * class only calls it and reads back the run it recorded.
 */
public final class Pipeline {

    private final DataSource dataSource;

    public Pipeline(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs the pipeline once. On failure the run is recorded in {@code analytics.pipeline_runs}
     * and the {@link SQLException} carries its error.
     */
    public PipelineRun run(boolean refresh) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true); // the procedure commits batch by batch
            try (var call = connection.prepareStatement("CALL warehouse.run_pipeline(refresh => ?)")) {
                call.setBoolean(1, refresh);
                call.execute();
            }
            return latestRun(connection).orElseThrow(() -> new SQLException("the pipeline recorded no run"));
        }
    }

    /** The most recent run, if any. */
    public static Optional<PipelineRun> latestRun(Connection connection) throws SQLException {
        try (var query = connection.prepareStatement(
                "SELECT run_id, started_at, finished_at, raw_from, raw_to, events_loaded, duplicates_skipped, expired_skipped, status, error"
                        + " FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1");
             ResultSet rs = query.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new PipelineRun(
                    rs.getLong(1),
                    rs.getObject(2, OffsetDateTime.class),
                    rs.getObject(3, OffsetDateTime.class),
                    rs.getLong(4),
                    rs.getLong(5),
                    rs.getLong(6),
                    rs.getLong(7),
                    rs.getLong(8),
                    rs.getString(9),
                    rs.getString(10)));
        }
    }
}
