package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bulk mode (V17): a run whose backlog is large loads facts only, with the derived tables marked
 * stale, and rebuilds them from the facts once at the end. Whatever way a load goes (bulk, cut
 * off midway, stale when a refresh or a forget comes), the derived tables and the views on them
 * must end equal to a recompute from the events (the oracles of PersonDaysTest and
 * IncrementalSessionsTest), and nothing may read them while they are stale.
 */
class BulkLoadTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    /** Low enough that the test traffic is a bulk backlog (the default is 500,000 rows). */
    private static final String BULK = "SET spectrum.bulk_load_rows = 100";

    @BeforeEach
    void empty() throws SQLException {
        db.execute("TRUNCATE staging.raw_events, warehouse.fact_events, warehouse.loaded_events, warehouse.dim_users,"
                        + " warehouse.identity_links, warehouse.person_days, warehouse.sessions, warehouse.session_days,"
                        + " warehouse.session_event_types",
                "UPDATE warehouse.pipeline_state SET loaded_through = 0, derived_stale = false",
                "SELECT warehouse.set_setting('event_retention', 'off')",
                "SELECT warehouse.derive_rebuild(NULL)",
                "ANALYZE warehouse.loaded_events",
                // every INSERT statement into person_days, counted: one per batch with deltas, one per rebuild
                "CREATE TABLE IF NOT EXISTS public.person_days_writes (at timestamptz DEFAULT clock_timestamp())",
                "TRUNCATE public.person_days_writes",
                "GRANT INSERT ON public.person_days_writes TO PUBLIC",
                """
                CREATE OR REPLACE FUNCTION public.count_person_days_write() RETURNS trigger LANGUAGE plpgsql
                SECURITY DEFINER SET search_path = pg_catalog AS $$
                BEGIN INSERT INTO public.person_days_writes DEFAULT VALUES; RETURN NULL; END $$""",
                "CREATE OR REPLACE TRIGGER count_writes AFTER INSERT ON warehouse.person_days"
                        + " FOR EACH STATEMENT EXECUTE FUNCTION public.count_person_days_write()");
    }

    @Test
    void aLargeBacklogLoadsFactsOnlyAndRebuildsOnceAtTheEnd() throws SQLException {
        int staged = stageMixedTraffic(new Random(71), 600);
        db.execute(BULK, "CALL warehouse.run_pipeline(batch_size => 50)");

        assertThat(db.rows("SELECT status, events_loaded + duplicates_skipped FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1"))
                .containsExactly(List.of("succeeded", String.valueOf(staged)));
        assertThat(derivedStale()).isFalse();
        // 12 batches; person_days written by the rebuild only
        assertThat(db.count("SELECT count(*) FROM public.person_days_writes")).isEqualTo(1);
        assertDerivedEqualOracles();
    }

    @Test
    void aSmallBacklogOrOneSmallBesideTheHistoryKeepsTheDeltas() throws SQLException {
        int staged = stageMixedTraffic(new Random(72), 300);
        db.execute("CALL warehouse.run_pipeline(batch_size => 50)");   // some 300 rows: far below the default 500,000
        // each batch writes person_days (a bulk run writes it once, in its rebuild)
        assertThat(db.count("SELECT count(*) FROM public.person_days_writes")).isGreaterThanOrEqualTo((staged + 49) / 50);

        db.execute("TRUNCATE public.person_days_writes", "ANALYZE warehouse.loaded_events");
        stageMixedTraffic(new Random(73), 60);
        // over the threshold, but 60 rows beside 300 loaded: the deltas are cheaper than a rebuild
        db.execute(BULK.replace("100", "50"), "CALL warehouse.run_pipeline(batch_size => 30)");
        assertThat(db.count("SELECT count(*) FROM public.person_days_writes")).isGreaterThanOrEqualTo(2);
        assertDerivedEqualOracles();
    }

    @Test
    void aBulkRunCutOffBeforeItsRebuildLeavesTheMarkAndTheNextRunRebuilds() throws Exception {
        int staged = stageMixedTraffic(new Random(74), 400);
        long pipelinePid;
        CompletableFuture<Void> run;
        try (Connection blocker = db.connect(); Connection pipeline = db.connect()) {
            // the rebuild's last table is held, so the run stops inside its rebuild
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("LOCK TABLE warehouse.sessions IN ACCESS EXCLUSIVE MODE");
            var rs = pipeline.createStatement().executeQuery("SELECT pg_backend_pid()");
            rs.next();
            pipelinePid = rs.getLong(1);
            run = CompletableFuture.runAsync(() -> {
                try (var st = pipeline.createStatement()) {
                    st.execute(BULK);
                    st.execute("CALL warehouse.run_pipeline(batch_size => 100)");
                } catch (SQLException e) {
                    throw new RuntimeException(e);
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> db.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pipelinePid + " AND wait_event_type = 'Lock'") == 1);
            db.execute("SELECT pg_terminate_backend(" + pipelinePid + ")");
            blocker.rollback();
        }
        // the pipeline's session ended under it
        assertThatThrownBy(run::join).cause().cause().isInstanceOf(SQLException.class);

        // the facts are in, the derived tables are as before the run, and marked so
        assertThat(db.count("SELECT loaded_through FROM warehouse.pipeline_state")).isEqualTo(db.count("SELECT max(id) FROM staging.raw_events"));
        assertThat(db.count("SELECT count(*) FROM warehouse.loaded_events")).isEqualTo(db.count("SELECT count(DISTINCT event_id) FROM staging.raw_events"));
        assertThat(derivedStale()).isTrue();
        assertThat(db.count("SELECT count(*) FROM warehouse.person_days")).isZero();

        // the next run has nothing to load and rebuilds; the interrupted run is reported
        db.execute("CALL warehouse.run_pipeline()");
        assertThat(derivedStale()).isFalse();
        assertThat(db.rows("SELECT status, coalesce(error, '') FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 2"))
                .containsExactly(List.of("succeeded", ""),
                        List.of("failed", "interrupted: the session running it ended before it finished"));
        assertThat(db.count("SELECT count(*) FROM staging.raw_events")).isEqualTo(staged);
        assertDerivedEqualOracles();
    }

    @Test
    void aViewOnTheDerivedTablesIsNeverRefreshedFromStaleOnes() throws SQLException {
        RawEvent.of("page").user("bulk-user-1").at("2026-03-02T10:00:00Z").insertInto(db);
        db.runPipeline();
        // what a cut-off bulk run leaves: facts loaded, derived tables behind, the mark set
        markStale();
        RawEvent.of("page").user("bulk-user-2").at("2026-03-03T10:00:00Z").insertInto(db);
        RawEvent.of("page").user("bulk-user-1").at("2026-03-03T11:00:00Z").insertInto(db);
        loadStagedRowsWithoutARun();
        assertThat(db.count("SELECT count(*) FROM warehouse.person_days")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM warehouse.sessions")).isEqualTo(1);

        db.execute("SELECT warehouse.refresh_view('mv_retention_cohorts')");

        assertThat(derivedStale()).isFalse();
        assertThat(db.rows("SELECT cohort_start::text, period_number::text, cohort_size::text, retained::text"
                + " FROM analytics.mv_retention_cohorts WHERE granularity = 'day' AND retained > 0 ORDER BY 1, 2"))
                .containsExactly(List.of("2026-03-02", "0", "1", "1"), List.of("2026-03-02", "1", "1", "1"),
                        List.of("2026-03-03", "0", "1", "1"));
        db.execute("SELECT warehouse.refresh_standard_views()");
        assertDerivedEqualOracles();
    }

    @Test
    void aForgetWhileTheDerivedTablesAreStaleLeavesNothingOfThePerson() throws SQLException {
        RawEvent.of("page").anon("bulk-anon-3").at("2026-03-01T08:00:00Z").insertInto(db);
        RawEvent.of("login").user("bulk-user-3").anon("bulk-anon-3").at("2026-03-02T08:00:00Z").insertInto(db);
        RawEvent.of("page").user("bulk-user-4").at("2026-03-02T09:00:00Z").insertInto(db);
        db.runPipeline();
        markStale();
        RawEvent.of("page").user("bulk-user-3").at("2026-03-04T08:00:00Z").insertInto(db);
        RawEvent.of("page").user("bulk-user-5").at("2026-03-04T09:00:00Z").insertInto(db);
        loadStagedRowsWithoutARun();

        db.execute("CALL warehouse.forget_person('bulk-user-3')");

        assertThat(derivedStale()).isFalse();
        assertThat(db.rows("SELECT person, day::text FROM warehouse.person_days ORDER BY 1, 2"))
                .containsExactly(List.of("bulk-user-4", "2026-03-02"), List.of("bulk-user-5", "2026-03-04"));
        assertThat(db.count("SELECT count(*) FROM warehouse.sessions WHERE person LIKE 'bulk-%-3'")).isZero();
        assertDerivedEqualOracles();
    }

    /** What a bulk run cut off after its batches leaves: the mark set (the facts loaded next, by hand). */
    private static void markStale() throws SQLException {
        db.execute("UPDATE warehouse.pipeline_state SET derived_stale = true");
    }

    /** The staged rows loaded by one warehouse.load_batch, as a run's batch would, with no run around it. */
    private static void loadStagedRowsWithoutARun() throws SQLException {
        db.execute("SELECT * FROM warehouse.load_batch((SELECT loaded_through FROM warehouse.pipeline_state),"
                + " (SELECT max(id) FROM staging.raw_events))");
    }

    private static boolean derivedStale() throws SQLException {
        return db.value("SELECT derived_stale FROM warehouse.pipeline_state", Boolean.class);
    }

    /** Visitors who identify later, users on two devices, re-links to an earlier user, duplicates. */
    private static int stageMixedTraffic(Random random, int events) throws SQLException {
        var start = OffsetDateTime.parse("2026-02-01T00:00:00Z");
        int staged = 0;
        for (int i = 0; i < events; i++) {
            int person = random.nextInt(40);
            var event = RawEvent.of(random.nextBoolean() ? "page" : "click").at(start.plusMinutes(random.nextInt(60 * 24 * 20)));
            switch (random.nextInt(6)) {
                case 0, 1 -> event.anon("bulk-anon-" + person);
                case 2 -> event.anon("bulk-anon-" + person + "-phone");
                case 3 -> event.user("bulk-user-" + person);
                case 4 -> event.user("bulk-user-" + person).anon("bulk-anon-" + person);
                default -> event.user("bulk-user-" + (person + random.nextInt(2))).anon("bulk-anon-" + person + "-phone");
            }
            event.insertInto(db);
            staged++;
            if (random.nextInt(15) == 0) {
                RawEvent.of("page").id(event.eventId()).user("bulk-user-dup").at(start).insertInto(db);
                staged++;
            }
        }
        return staged;
    }

    private static void assertDerivedEqualOracles() throws SQLException {
        for (String[] pair : new String[][] {
                {"SELECT person, day FROM warehouse.person_days", PersonDaysTest.ORACLE},
                {IncrementalSessionsTest.TABLE, IncrementalSessionsTest.ORACLE},
                {IncrementalSessionsTest.VIEW, IncrementalSessionsTest.ORACLE},
                {"SELECT granularity, period_start, status, persons FROM analytics.mv_lifecycle", PersonDaysTest.LIFECYCLE_ORACLE},
                {"SELECT day, dau, wau, mau FROM analytics.mv_active_persons", PersonDaysTest.ACTIVE_ORACLE},
                {"SELECT day, event_type, events, persons FROM analytics.mv_daily_activity", PersonDaysTest.DAILY_ACTIVITY_ORACLE}}) {
            assertThat(db.rows("(" + pair[0] + ") EXCEPT (" + pair[1] + ")")).as("not in the oracle: " + pair[0]).isEmpty();
            assertThat(db.rows("(" + pair[1] + ") EXCEPT (" + pair[0] + ")")).as("missing from: " + pair[0]).isEmpty();
        }
    }
}
