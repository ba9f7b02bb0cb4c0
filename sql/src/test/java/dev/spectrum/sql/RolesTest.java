package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spectrum.sql.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** data-model.md, Roles: least privilege for ingest and reader; pipeline owns warehouse and analytics. */
class RolesTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    private static final String INSERT_RAW = "INSERT INTO staging.raw_events (event_id, event_type, user_id, occurred_at, source)"
            + " VALUES (gen_random_uuid(), 'e', 'u', now(), 'test')";

    @Test
    void readerSeesAnalyticsOnly() throws SQLException {
        assertThat(asRole("spectrum_reader", "SELECT count(*) FROM analytics.mv_sessions")).isEqualTo("0");
        assertThat(asRole("spectrum_reader", "SELECT count(*) FROM analytics.pipeline_runs")).isEqualTo("0");
        assertDenied("spectrum_reader", "SELECT count(*) FROM staging.raw_events");
        assertDenied("spectrum_reader", "SELECT count(*) FROM warehouse.fact_events");
        assertDenied("spectrum_reader", "SELECT count(*) FROM warehouse.dim_users");
        assertDenied("spectrum_reader", "CALL warehouse.run_pipeline()");
        assertDenied("spectrum_reader", "DELETE FROM analytics.pipeline_runs");
        assertDenied("spectrum_reader", "REFRESH MATERIALIZED VIEW analytics.mv_sessions");
    }

    @Test
    void ingestCanOnlyInsertIntoRawEvents() throws SQLException {
        asRole("spectrum_ingest", INSERT_RAW);
        assertThat(db.count("SELECT count(*) FROM staging.raw_events WHERE event_type = 'e'")).isEqualTo(1);

        assertDenied("spectrum_ingest", "SELECT count(*) FROM staging.raw_events");
        assertDenied("spectrum_ingest", "UPDATE staging.raw_events SET event_type = 'x'");
        assertDenied("spectrum_ingest", "DELETE FROM staging.raw_events");
        assertDenied("spectrum_ingest", "TRUNCATE staging.raw_events");
        assertDenied("spectrum_ingest", "SELECT count(*) FROM warehouse.fact_events");
        assertDenied("spectrum_ingest", "SELECT count(*) FROM analytics.mv_sessions");
        assertDenied("spectrum_ingest", "CALL warehouse.run_pipeline()");
        assertDenied("spectrum_ingest", "SELECT staging.committed_high_water()");
        assertDenied("spectrum_ingest", "CREATE TABLE staging.mine (x int)");
        assertDenied("spectrum_ingest", "CREATE TABLE public.mine (x int)");
    }

    @Test
    void pipelineOwnsWarehouseAndAnalyticsAndCanRunThePipeline() throws SQLException {
        assertThat(db.count("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname IN ('warehouse', 'analytics') AND c.relkind IN ('r', 'p', 'v', 'm')"
                + " AND pg_get_userbyid(c.relowner) <> 'spectrum_pipeline'")).isZero();
        asRole("spectrum_pipeline", "CALL warehouse.run_pipeline()");
        assertThat(db.value("SELECT status FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1", String.class))
                .isEqualTo("succeeded");
        assertDenied("spectrum_pipeline", "DELETE FROM staging.raw_events");
        assertDenied("spectrum_pipeline", INSERT_RAW);
    }

    @Test
    void migratingASecondDatabaseOnTheSameServerReusesTheRoles() throws SQLException {
        // roles are server-wide: this database's migration found them made by other test classes or not;
        // either way each exists once and has no login
        assertThat(db.rows("SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('spectrum_ingest', 'spectrum_pipeline', 'spectrum_reader') ORDER BY 1"))
                .containsExactly(java.util.List.of("spectrum_ingest", "f"), java.util.List.of("spectrum_pipeline", "f"),
                        java.util.List.of("spectrum_reader", "f"));
    }

    /** Runs one statement as the role (superuser SET ROLE drops to that role's privileges). */
    private static String asRole(String role, String sql) throws SQLException {
        try (Connection c = db.connect(); var st = c.createStatement()) {
            st.execute("SET ROLE " + role);
            boolean hasRows = st.execute(sql);
            if (!hasRows) {
                return null;
            }
            try (var rs = st.getResultSet()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static void assertDenied(String role, String sql) {
        assertThatThrownBy(() -> asRole(role, sql))
                .as("%s: %s", role, sql)
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isIn("42501"));
    }
}
