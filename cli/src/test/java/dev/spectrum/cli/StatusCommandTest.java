package dev.spectrum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ./spectrum status against hand-made states: its figures and its exit status. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StatusCommandTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    record Result(int status, String out, String err) {
    }

    @Test
    @Order(1)
    void aFreshInstallationHasNoBacklogAndNoRunYet() {
        Result r = status(db.url());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("schema version   1[0-9]").contains("staging backlog  0 rows not yet loaded")
                .contains("derived tables   current")
                .contains("no pipeline run yet").contains("analytics.mv_sessions").contains("never")
                .contains("Definitions applied\n  none");
    }

    @Test
    @Order(2)
    void aBacklogAFailedRunAndAStaleViewAreShownAndTheStatusIsOne() throws Exception {
        db.execute(
                // loaded through id 1; ids 2 and 3 wait, the oldest received 90 minutes ago
                "INSERT INTO staging.raw_events (event_id, event_type, user_id, occurred_at, received_at, source) VALUES"
                        + " (gen_random_uuid(), 'a', 'u', now(), now() - interval '3 hours', 't'),"
                        + " (gen_random_uuid(), 'b', 'u', now(), now() - interval '90 minutes', 't'),"
                        + " (gen_random_uuid(), 'c', 'u', now(), now() - interval '10 minutes', 't')",
                "UPDATE warehouse.pipeline_state SET loaded_through = 1, derived_stale = true",
                "INSERT INTO analytics.pipeline_runs (started_at, finished_at, raw_from, raw_to, events_loaded, duplicates_skipped, status)"
                        + " VALUES (now() - interval '60 minutes', now() - interval '59 minutes', 1, 1, 1, 0, 'succeeded')",
                "INSERT INTO analytics.view_refreshes VALUES ('analytics.mv_sessions', now() - interval '2 hours'),"
                        + " ('analytics.mv_revenue_summary', now() - interval '30 minutes')",
                "INSERT INTO analytics.pipeline_runs (started_at, finished_at, raw_from, raw_to, events_loaded, duplicates_skipped, status, error)"
                        + " VALUES (now() - interval '5 minutes', now() - interval '5 minutes', 2, 1, 0, 0, 'failed',"
                        + " 'batch of staging ids 2..3 failed: invalid input syntax for type numeric: \"secret-value\"')");
        Result r = status(db.url());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("staging backlog  2 rows not yet loaded, the oldest received 90 min ago")
                .contains("derived tables   stale: a bulk load is running or was cut off")
                .containsPattern("\\n  2 +5 min ago +0\\.0 s +failed +0 +0 +batch of staging ids 2\\.\\.3 failed")
                .containsPattern("\\n  1 +60 min ago +60\\.0 s +succeeded +1 +0")
                .containsPattern("analytics\\.mv_sessions +2 h ago +stale: older than the last load")
                .containsPattern("analytics\\.mv_revenue_summary +30 min ago +fresh")
                .contains("The last pipeline run failed")
                .doesNotContain("secret-value");
    }

    @Test
    @Order(3)
    void aSucceededRunAfterwardsMakesItZeroAndDefinitionsAreListed() throws Exception {
        db.runPipeline();
        assertThat(SpectrumCommand.commandLine(Map.of("SPECTRUM_DB_URL", db.url()), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter())).execute("apply", "-f", "../examples")).isZero();
        Result r = status(db.url());
        assertThat(r.status()).as(r.out()).isZero();
        assertThat(r.out()).contains("staging backlog  0 rows not yet loaded").contains("derived tables   current")
                .containsPattern("Funnel +checkout +analytics\\.funnel_checkout +\\./spectrum apply")
                .containsPattern("Experiment +new-checkout +analytics\\.experiment_new_checkout");
    }

    @Test
    @Order(4)
    void noDatabaseIsTwo() {
        Result r = status("jdbc:postgresql://127.0.0.1:1/nothing");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("spectrum: cannot connect to 127.0.0.1:1/nothing");
    }

    private static Result status(String url) {
        var out = new StringWriter();
        var err = new StringWriter();
        int status = SpectrumCommand.commandLine(Map.of("SPECTRUM_DB_URL", url), new PrintWriter(out), new PrintWriter(err))
                .execute("status");
        return new Result(status, out.toString(), err.toString());
    }
}
