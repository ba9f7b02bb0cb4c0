package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** data-model.md, Data lifecycle: settings, staging retention, event retention. */
class DataRetentionTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final OffsetDateTime NOW = OffsetDateTime.now(ZoneOffset.UTC);

    @BeforeEach
    void defaults() throws SQLException {
        db.execute("SELECT warehouse.set_setting('staging_retention', '7d')", "SELECT warehouse.set_setting('event_retention', 'off')");
    }

    @Test
    void loadedRowsOlderThanTheRetentionLeaveStagingAndTheirFactsStay() throws SQLException {
        var old1 = RawEvent.of("page").user("ret-1").receivedAt(NOW.minusDays(9)).insertInto(db);
        var old2 = RawEvent.of("page").user("ret-1").receivedAt(NOW.minusDays(7).minusMinutes(1)).insertInto(db);
        var young = RawEvent.of("page").user("ret-1").receivedAt(NOW.minusDays(6).minusHours(23)).insertInto(db);
        var fresh = RawEvent.of("page").user("ret-1").insertInto(db);

        db.runPipeline();

        assertThat(stagedIds()).doesNotContain(old1.eventId().toString(), old2.eventId().toString())
                .contains(young.eventId().toString(), fresh.eventId().toString());
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events WHERE user_key ="
                + " (SELECT user_key FROM warehouse.dim_users WHERE distinct_id = 'ret-1')")).isEqualTo(4);
        assertThat(db.rows("SELECT staging_removed, status FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1"))
                .containsExactly(List.of("2", "succeeded"));
    }

    @Test
    void anOldRowNotYetLoadedStaysUntilItIsLoaded() throws SQLException {
        // a stopped pipeline: rows ten days old that no run has loaded yet
        db.runPipeline();
        var stranded = RawEvent.of("page").user("ret-2").receivedAt(NOW.minusDays(10)).insertInto(db);
        db.execute("CALL warehouse.apply_data_retention(NULL)");
        assertThat(stagedIds()).contains(stranded.eventId().toString());

        db.runPipeline();
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events WHERE event_id = '" + stranded.eventId() + "'")).isEqualTo(1);
        assertThat(stagedIds()).doesNotContain(stranded.eventId().toString());
    }

    @Test
    void aLateCommitBelowTheWatermarkIsNeverRemovedBeforeItIsLoaded() throws Exception {
        db.runPipeline();
        try (Connection late = DriverManager.getConnection(db.url(), TestDatabase.user(), TestDatabase.password())) {
            late.setAutoCommit(false);
            // draws its id first, commits last; received ten days ago
            var lateRow = RawEvent.of("page").user("ret-3").receivedAt(NOW.minusDays(10)).insertWith(late);
            var later = RawEvent.of("page").user("ret-3").receivedAt(NOW.minusDays(10)).insertInto(db);
            assertThatThrownBy(db::runPipeline).hasMessageContaining("could not find which staging rows have committed");
            assertThat(stagedIds()).contains(later.eventId().toString());
            late.commit();

            db.runPipeline();
            assertThat(db.count("SELECT count(*) FROM warehouse.fact_events WHERE event_id IN ('"
                    + lateRow.eventId() + "', '" + later.eventId() + "')")).isEqualTo(2);
        }
    }

    @Test
    void aDuplicateArrivingAfterItsFirstCopyLeftStagingIsStillADuplicate() throws SQLException {
        var first = RawEvent.of("purchase").user("ret-4").properties("{\"revenue\": 10}").receivedAt(NOW.minusDays(8)).insertInto(db);
        db.runPipeline();
        assertThat(stagedIds()).doesNotContain(first.eventId().toString());

        RawEvent.of("purchase").id(first.eventId()).user("ret-4").properties("{\"revenue\": 99}").insertInto(db);
        db.runPipeline();

        assertThat(db.rows("SELECT events_loaded, duplicates_skipped FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1"))
                .containsExactly(List.of("0", "1"));
        assertThat(db.rows("SELECT revenue::text FROM warehouse.fact_events WHERE event_id = '" + first.eventId() + "'"))
                .containsExactly(List.of("10"));
    }

    @Test
    void theRetentionIsASettingAndBadValuesAreRefusedWithWhatToWrite() throws SQLException {
        db.execute("SELECT warehouse.set_setting('staging_retention', '36h', 'operator')");
        assertThat(db.rows("SELECT name, coalesce(value::text, 'off'), updated_by FROM warehouse.settings ORDER BY name"))
                .containsExactly(List.of("event_retention", "off", "sql"), List.of("staging_retention", "36:00:00", "operator"));
        var twoDays = RawEvent.of("page").user("ret-5").receivedAt(NOW.minusDays(2)).insertInto(db);
        db.runPipeline();
        assertThat(stagedIds()).doesNotContain(twoDays.eventId().toString());

        assertThatThrownBy(() -> db.execute("SELECT warehouse.set_setting('staging_retention', '30m')"))
                .hasMessageContaining("staging_retention must be between 1h and 3650d, got \"30m\"");
        assertThatThrownBy(() -> db.execute("SELECT warehouse.set_setting('staging_retention', 'off')"))
                .hasMessageContaining("staging_retention must be between 1h and 3650d, got \"off\"");
        assertThatThrownBy(() -> db.execute("SELECT warehouse.set_setting('staging_retention', '7 days')"))
                .hasMessageContaining("staging_retention must be a duration such as 7d, 36h or 90m (a whole number and m, h or d), got \"7 days\"");
        assertThatThrownBy(() -> db.execute("SELECT warehouse.set_setting('event_retention', '30d')"))
                .hasMessageContaining("event_retention must be off or at least 31d (whole months are dropped), got \"30d\"");
        assertThatThrownBy(() -> db.execute("SELECT warehouse.set_setting('retention''; DROP TABLE warehouse.settings; --', '7d')"))
                .hasMessageContaining("unknown setting \"retention'; DROP TABLE warehouse.settings; --\": the settings are staging_retention and event_retention");
        assertThat(db.rows("SELECT coalesce(value::text, 'off') FROM warehouse.settings ORDER BY name"))
                .containsExactly(List.of("off"), List.of("36:00:00"));
    }

    @Test
    void eventRetentionDropsWholeMonthsPastItBeforeTheViewsAreRefreshed() throws SQLException {
        OffsetDateTime monthStart = NOW.withDayOfMonth(1).withHour(0).withMinute(0).withSecond(0).withNano(0);
        var ancient = RawEvent.of("page").user("ret-6").at(monthStart.minusMonths(5).plusDays(3)).insertInto(db);
        var recent = RawEvent.of("page").user("ret-6").at(NOW.minusDays(1)).insertInto(db);
        db.runPipeline();
        assertThat(partitionExists(monthStart.minusMonths(5))).isTrue();

        db.execute("SELECT warehouse.set_setting('event_retention', '62d')");
        db.runPipeline();

        // the month five months back ends more than 62 days ago; two months back does not (62 days reach into it)
        assertThat(partitionExists(monthStart.minusMonths(5))).isFalse();
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events WHERE event_id = '" + ancient.eventId() + "'")).isZero();
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events WHERE event_id = '" + recent.eventId() + "'")).isEqualTo(1);
        assertThat(partitionExists(monthStart.minusMonths(2))).isFalse();   // never made: no event there
        assertThat(db.count("SELECT count(*) FROM analytics.mv_sessions WHERE started_at < '" + monthStart.minusMonths(4) + "'")).isZero();
        assertThat(db.count("SELECT count(*) FROM warehouse.loaded_events WHERE event_id = '" + ancient.eventId() + "'")).isEqualTo(1);
        assertThat(db.count("SELECT partitions_dropped::bigint FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void eventsOlderThanTheEventRetentionAreNotLoadedButStayDuplicates() throws SQLException {
        db.execute("SELECT warehouse.set_setting('event_retention', '40d')");
        // an old event of a visitor who identifies in it, an old one of another user, a recent one
        var expired = RawEvent.of("signup").user("ret-exp-1").anon("ret-exp-anon").at(NOW.minusDays(41)).insertInto(db);
        var expired2 = RawEvent.of("page").user("ret-exp-2").at(NOW.minusDays(300)).insertInto(db);
        var kept = RawEvent.of("page").user("ret-exp-1").at(NOW.minusDays(39)).insertInto(db);
        db.runPipeline();

        assertThat(db.rows("SELECT events_loaded, duplicates_skipped, expired_skipped, status FROM analytics.pipeline_runs"
                + " ORDER BY run_id DESC LIMIT 1")).containsExactly(List.of("1", "0", "2", "succeeded"));
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events WHERE event_id IN ('" + expired.eventId() + "', '"
                + expired2.eventId() + "')")).isZero();
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events WHERE event_id = '" + kept.eventId() + "'")).isEqualTo(1);
        // nothing else of them: no identifier, no link, no person-day
        assertThat(db.count("SELECT count(*) FROM warehouse.dim_users WHERE distinct_id IN ('ret-exp-2', 'ret-exp-anon')")).isZero();
        assertThat(db.count("SELECT count(*) FROM warehouse.identity_links WHERE anonymous_id = 'ret-exp-anon'")).isZero();
        assertThat(db.rows("SELECT person, day::text FROM warehouse.person_days WHERE person LIKE 'ret-exp-%'"))
                .containsExactly(List.of("ret-exp-1", NOW.minusDays(39).toLocalDate().toString()));
        // their ids are registered: the same event sent again is a duplicate, whatever the setting
        db.execute("SELECT warehouse.set_setting('event_retention', 'off')");
        RawEvent.of("signup").id(expired.eventId()).user("ret-exp-1").at(NOW.minusDays(41)).insertInto(db);
        db.runPipeline();
        assertThat(db.rows("SELECT events_loaded, duplicates_skipped, expired_skipped FROM analytics.pipeline_runs"
                + " ORDER BY run_id DESC LIMIT 1")).containsExactly(List.of("0", "1", "0"));
    }

    @Test
    void thePipelineLoginAppliesRetentionAndForgetsWithoutDeleteRightsOnStaging() throws SQLException {
        String login = TestDatabase.createLogin("spectrum_pipeline");
        try (Connection c = DriverManager.getConnection(db.url(), login, "")) {
            assertThat(db.value("SELECT has_table_privilege('" + login + "', 'staging.raw_events', 'DELETE')", Boolean.class)).isFalse();
            var old = RawEvent.of("page").user("ret-7").receivedAt(NOW.minusDays(8)).insertInto(db);
            RawEvent.of("page").user("ret-8").insertInto(db);
            try (var st = c.createStatement()) {
                st.execute("CALL warehouse.run_pipeline()");
                assertThat(stagedIds()).doesNotContain(old.eventId().toString());
                try (var rs = st.executeQuery("CALL warehouse.forget_person('ret-8')")) {
                    rs.next();
                    assertThat(rs.getString("outcome")).isEqualTo("forgotten");
                    assertThat(rs.getLong("events_removed")).isEqualTo(1);
                    assertThat(rs.getLong("staging_rows_removed")).isEqualTo(1);
                }
            }
        } finally {
            TestDatabase.dropLogin(login);
        }
    }

    private static List<String> stagedIds() throws SQLException {
        return db.rows("SELECT event_id::text FROM staging.raw_events").stream().map(r -> r.get(0)).toList();
    }

    private static boolean partitionExists(OffsetDateTime month) throws SQLException {
        return db.value("SELECT to_regclass('warehouse.' || warehouse.fact_partition_name('" + month.toLocalDate() + "')) IS NOT NULL",
                Boolean.class);
    }
}
