package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Idempotency, concurrency, atomicity and the watermark of CALL warehouse.run_pipeline(). */
class PipelineRunsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    /** What the warehouse holds, as text, in a stable order. */
    private static final String[] WAREHOUSE = {
        "SELECT event_id, occurred_at, event_type_key, account_key, user_key, geography_key, revenue, properties, raw_id, loaded_at"
                + " FROM warehouse.fact_events ORDER BY event_id",
        "SELECT * FROM warehouse.dim_event_types ORDER BY 1",
        "SELECT * FROM warehouse.dim_accounts ORDER BY 1",
        "SELECT * FROM warehouse.dim_users ORDER BY 1",
        "SELECT * FROM warehouse.dim_geography ORDER BY 1",
        "SELECT * FROM warehouse.identity_links ORDER BY 1",
        "SELECT * FROM warehouse.loaded_events ORDER BY 1",
        "SELECT * FROM analytics.mv_sessions ORDER BY 1",
        "SELECT * FROM analytics.mv_revenue_summary ORDER BY 1, 2, 3",
    };

    @BeforeEach
    void emptyWarehouse() throws SQLException {
        // each test starts from nothing loaded; the objects stay
        db.execute("TRUNCATE staging.raw_events RESTART IDENTITY",
                "TRUNCATE warehouse.fact_events, warehouse.loaded_events, warehouse.identity_links, warehouse.dim_users,"
                        + " warehouse.dim_accounts, warehouse.dim_event_types, warehouse.dim_geography, analytics.pipeline_runs",
                "UPDATE warehouse.pipeline_state SET loaded_through = 0",
                "DROP TRIGGER IF EXISTS fail_on_marker ON warehouse.fact_events");
    }

    @Test
    void aSecondRunLoadsNothingAndLeavesTheWarehouseIdentical() throws SQLException {
        insertMixedEvents(50);
        db.runPipeline();
        List<List<List<String>>> afterFirst = snapshot();

        db.runPipeline();

        assertThat(snapshot()).isEqualTo(afterFirst);
        assertThat(db.rows("SELECT raw_from, raw_to, events_loaded, duplicates_skipped, status FROM analytics.pipeline_runs ORDER BY run_id"))
                .containsExactly(List.of("1", "50", "50", "0", "succeeded"),
                        List.of("51", "50", "0", "0", "succeeded"));
    }

    @Test
    void twoRunsAtOnceLoadEveryEventExactlyOnce() throws Exception {
        insertMixedEvents(2000);
        var bothReady = new CyclicBarrier(2);
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(CompletableFuture.runAsync(() -> {
                try (Connection c = db.connect(); var st = c.createStatement()) {
                    bothReady.await(10, TimeUnit.SECONDS);
                    st.execute("CALL warehouse.run_pipeline(refresh => true, batch_size => 150)");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);

        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(2000);
        assertThat(db.count("SELECT count(DISTINCT event_id) FROM warehouse.fact_events")).isEqualTo(2000);
        assertThat(db.rows("SELECT sum(events_loaded), sum(duplicates_skipped), count(*) FILTER (WHERE status = 'succeeded')"
                + " FROM analytics.pipeline_runs")).containsExactly(List.of("2000", "0", "2"));
    }

    @Test
    void aBatchThatFailsLeavesNoTraceAndEarlierBatchesStay() throws SQLException {
        // batch 1 (ids 1..4) is fine; batch 2 (ids 5..8) holds an event the trigger refuses
        db.execute("""
                CREATE OR REPLACE FUNCTION public.fail_on_marker() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.properties ? 'explode' THEN RAISE EXCEPTION 'forced failure for the test'; END IF;
                    RETURN NEW;
                END $$""",
                "CREATE TRIGGER fail_on_marker BEFORE INSERT ON warehouse.fact_events"
                        + " FOR EACH ROW EXECUTE FUNCTION public.fail_on_marker()");
        for (int i = 1; i <= 4; i++) {
            RawEvent.of("batch-one").user("u" + i).account("acct-1").insertInto(db);
        }
        RawEvent.of("batch-two").user("new-user").account("new-account").anon("new-anon").insertInto(db);
        RawEvent.of("batch-two").user("u1").properties("{\"explode\": true}").insertInto(db);
        RawEvent.of("batch-two").user("u2").context("{\"country\": \"FR\"}").insertInto(db);
        RawEvent.of("batch-two").user("u3").insertInto(db);

        assertThatThrownBy(() -> db.execute("CALL warehouse.run_pipeline(batch_size => 4)"))
                .hasMessageContaining("pipeline run")
                .hasMessageContaining("batch of staging ids 5..8 failed: forced failure for the test");

        assertThat(db.rows("SELECT raw_from, raw_to, events_loaded, status, error FROM analytics.pipeline_runs"))
                .containsExactly(List.of("1", "4", "4", "failed",
                        "batch of staging ids 5..8 failed: forced failure for the test"));
        assertThat(db.count("SELECT loaded_through FROM warehouse.pipeline_state")).isEqualTo(4);
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(4);
        assertThat(db.count("SELECT count(*) FROM warehouse.loaded_events")).isEqualTo(4);
        // nothing of batch two anywhere: not its type, user, account, link or geography
        assertThat(db.count("SELECT count(*) FROM warehouse.dim_event_types WHERE event_type = 'batch-two'")).isZero();
        assertThat(db.count("SELECT count(*) FROM warehouse.dim_users WHERE distinct_id = 'new-user'")).isZero();
        assertThat(db.count("SELECT count(*) FROM warehouse.dim_accounts WHERE account_id = 'new-account'")).isZero();
        assertThat(db.count("SELECT count(*) FROM warehouse.identity_links")).isZero();
        assertThat(db.count("SELECT count(*) FROM warehouse.dim_geography WHERE country_code = 'FR'")).isZero();

        // the fault is gone: the next run picks up exactly where the last good batch ended
        db.execute("DROP TRIGGER fail_on_marker ON warehouse.fact_events");
        db.execute("CALL warehouse.run_pipeline(batch_size => 4)");
        assertThat(db.rows("SELECT raw_from, raw_to, events_loaded, status FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1"))
                .containsExactly(List.of("5", "8", "4", "succeeded"));
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(8);
    }

    @Test
    void aRowThatCommitsAfterAHigherIdIsNotSkipped() throws Exception {
        try (Connection slow = db.connect()) {
            slow.setAutoCommit(false);
            var early = RawEvent.of("slow").user("slow").insertWith(slow);         // takes id 1, not committed
            var late = RawEvent.of("fast").user("fast").insertInto(db);             // id 2, committed
            assertThat(db.count("SELECT max(id) FROM staging.raw_events")).isEqualTo(2);

            var run = CompletableFuture.runAsync(() -> {
                try {
                    db.execute("CALL warehouse.run_pipeline(refresh => false)");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            // the run waits for the open insert instead of loading id 2 and moving past id 1
            await().atMost(Duration.ofSeconds(10)).until(() -> db.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()") == 1);
            assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isZero();
            slow.commit();
            run.get(30, TimeUnit.SECONDS);

            assertThat(db.count("SELECT count(*) FROM warehouse.fact_events WHERE event_id IN ('"
                    + early.eventId() + "', '" + late.eventId() + "')")).isEqualTo(2);
        }
    }

    @Test
    void aLongOpenInsertMakesTheRunFailClearlyAndNothingIsLost() throws Exception {
        try (Connection forgotten = db.connect()) {
            forgotten.setAutoCommit(false);
            RawEvent.of("forgotten").user("f").insertWith(forgotten);
            RawEvent.of("committed").user("c").insertInto(db);

            assertThatThrownBy(() -> db.execute("CALL warehouse.run_pipeline()"))
                    .hasMessageContaining("could not find which staging rows have committed");
            assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isZero();
            assertThat(db.rows("SELECT status FROM analytics.pipeline_runs")).containsExactly(List.of("failed"));

            forgotten.commit();
        }
        db.runPipeline();
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(2);
    }

    @Test
    void aBatchSizeThatIsNotPositiveIsRefusedWithTheReason() {
        assertThatThrownBy(() -> db.execute("CALL warehouse.run_pipeline(batch_size => 0)"))
                .hasMessageContaining("batch_size must be a positive number of staging rows, got 0");
    }

    private static void insertMixedEvents(int n) throws SQLException {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            for (int i = 0; i < n; i++) {
                RawEvent.of("type-" + (i % 7))
                        .user(i % 3 == 0 ? null : "user-" + (i % 40))
                        .anon("anon-" + (i % 60))
                        .account(i % 5 == 0 ? null : "acct-" + (i % 9))
                        .at(java.time.OffsetDateTime.parse("2026-01-01T00:00:00Z").plusMinutes(i * 17L))
                        .properties("{\"revenue\": " + (i % 4 == 0 ? i : 0) + ", \"n\": " + i + "}")
                        .context("{\"country\": \"" + (i % 2 == 0 ? "DE" : "US") + "\"}")
                        .insertWith(c);
            }
            c.commit();
        }
    }

    private static List<List<List<String>>> snapshot() throws SQLException {
        List<List<List<String>>> tables = new ArrayList<>();
        for (String query : WAREHOUSE) {
            tables.add(db.rows(query));
        }
        return tables;
    }
}
