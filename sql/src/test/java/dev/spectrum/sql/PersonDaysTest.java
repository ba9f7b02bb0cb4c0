package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * warehouse.person_days (V14) is kept by the pipeline batch by batch; at every moment it must equal
 * what a full recompute from the facts gives (the oracle: DISTINCT person and UTC day over
 * warehouse.event_stream), whatever the order events and identity links arrive in.
 */
class PersonDaysTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final String ORACLE =
            "SELECT DISTINCT person, (occurred_at AT TIME ZONE 'UTC')::date AS day FROM warehouse.event_stream";

    /** V12's mv_lifecycle, computed from every event: what the counts must give. */
    static final String LIFECYCLE_ORACLE = """
            WITH bounds AS (SELECT (now() AT TIME ZONE 'UTC')::date AS today),
            person_days AS (
                SELECT DISTINCT e.person, (e.occurred_at AT TIME ZONE 'UTC')::date AS day FROM warehouse.event_stream e
                WHERE e.occurred_at < (SELECT (today + 1)::timestamp AT TIME ZONE 'UTC' FROM bounds)),
            grains (granularity, step) AS (VALUES ('day', interval '1 day'), ('week', interval '7 days'), ('month', interval '1 month')),
            person_periods AS (
                SELECT 'day' AS granularity, person, day AS period_start FROM person_days
                UNION ALL SELECT DISTINCT 'week', person, date_trunc('week', day)::date FROM person_days
                UNION ALL SELECT DISTINCT 'month', person, date_trunc('month', day)::date FROM person_days),
            linked AS (
                SELECT p.granularity, p.period_start, g.step, lag(p.period_start) OVER w AS previous_start,
                       lead(p.period_start) OVER w AS next_start
                FROM person_periods p JOIN grains g USING (granularity)
                WINDOW w AS (PARTITION BY p.granularity, p.person ORDER BY p.period_start)),
            statuses AS (
                SELECT granularity, period_start, CASE WHEN previous_start IS NULL THEN 'new'
                       WHEN previous_start = (period_start - step)::date THEN 'returning' ELSE 'resurrecting' END AS status
                FROM linked
                UNION ALL SELECT granularity, (period_start + step)::date, 'dormant' FROM linked
                WHERE next_start IS DISTINCT FROM (period_start + step)::date),
            counted AS (SELECT granularity, period_start, status, count(*) AS persons FROM statuses GROUP BY 1, 2, 3),
            periods AS (
                SELECT g.granularity, p::date AS period_start FROM grains g
                CROSS JOIN LATERAL (SELECT min(period_start) AS first_start FROM person_periods pp WHERE pp.granularity = g.granularity) f
                CROSS JOIN bounds b
                CROSS JOIN LATERAL generate_series(f.first_start,
                    CASE g.granularity WHEN 'day' THEN b.today WHEN 'week' THEN date_trunc('week', b.today)::date
                                       ELSE date_trunc('month', b.today)::date END, g.step) AS p
                WHERE f.first_start IS NOT NULL)
            SELECT p.granularity, p.period_start, s.status, coalesce(c.persons, 0)::bigint AS persons
            FROM periods p CROSS JOIN (VALUES ('new'), ('returning'), ('resurrecting'), ('dormant')) AS s (status)
            LEFT JOIN counted c ON c.granularity = p.granularity AND c.period_start = p.period_start AND c.status = s.status""";

    /** mv_active_persons by its definition (data-model): distinct persons per day and per trailing window, by brute force. */
    static final String ACTIVE_ORACLE = """
            WITH d AS (SELECT DISTINCT person, (occurred_at AT TIME ZONE 'UTC')::date AS day FROM warehouse.event_stream
                       WHERE (occurred_at AT TIME ZONE 'UTC')::date <= (now() AT TIME ZONE 'UTC')::date),
            days AS (SELECT g::date AS day FROM generate_series((SELECT min(day) FROM d), (now() AT TIME ZONE 'UTC')::date, interval '1 day') g)
            SELECT days.day,
                   (SELECT count(DISTINCT person) FROM d WHERE d.day = days.day) AS dau,
                   (SELECT count(DISTINCT person) FROM d WHERE d.day BETWEEN days.day - 6 AND days.day) AS wau,
                   (SELECT count(DISTINCT person) FROM d WHERE d.day BETWEEN days.day - 29 AND days.day) AS mau
            FROM days""";

    /** V12's mv_daily_activity, from every event. */
    static final String DAILY_ACTIVITY_ORACLE = """
            SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, event_type, count(*) AS events, count(DISTINCT person) AS persons
            FROM warehouse.event_stream GROUP BY 1, 2""";

    @BeforeEach
    void empty() throws SQLException {
        db.execute("TRUNCATE staging.raw_events, warehouse.fact_events, warehouse.loaded_events, warehouse.dim_users,"
                        + " warehouse.identity_links, warehouse.person_days",
                "UPDATE warehouse.pipeline_state SET loaded_through = 0",
                "SELECT warehouse.set_setting('event_retention', 'off')",
                "SELECT warehouse.derive_rebuild(NULL)");   // the counts of the empty warehouse
    }

    @Test
    void aVisitorWhoIdentifiesLaterBringsTheirDaysToTheUser() throws SQLException {
        RawEvent.of("page").anon("pd-anon-1").at("2026-01-05T10:00:00Z").insertInto(db);
        RawEvent.of("page").anon("pd-anon-1").at("2026-01-06T10:00:00Z").insertInto(db);
        RawEvent.of("page").user("pd-user-1").at("2026-01-06T23:59:59Z").insertInto(db);
        db.runPipeline();
        assertThat(days()).containsExactly(
                List.of("pd-anon-1", "2026-01-05"), List.of("pd-anon-1", "2026-01-06"), List.of("pd-user-1", "2026-01-06"));

        RawEvent.of("signup").user("pd-user-1").anon("pd-anon-1").at("2026-01-08T00:00:00Z").insertInto(db);
        db.runPipeline();

        // 01-06 was a day of both: once
        assertThat(days()).containsExactly(
                List.of("pd-user-1", "2026-01-05"), List.of("pd-user-1", "2026-01-06"), List.of("pd-user-1", "2026-01-08"));
        assertEqualsOracle();
    }

    @Test
    void anAnonymousIdRelinkedToAnEarlierUserIsTakenFromTheFirstUser() throws SQLException {
        RawEvent.of("page").anon("pd-anon-3").at("2026-01-05T09:00:00Z").insertInto(db);
        RawEvent.of("login").user("pd-user-3a").anon("pd-anon-3").at("2026-01-07T12:00:00Z").insertInto(db);
        RawEvent.of("page").user("pd-user-3a").at("2026-01-09T12:00:00Z").insertInto(db);
        db.runPipeline();
        assertThat(days()).containsExactly(List.of("pd-user-3a", "2026-01-05"), List.of("pd-user-3a", "2026-01-07"),
                List.of("pd-user-3a", "2026-01-09"));

        // happened earlier, arrives later: the earliest link wins, the anonymous day goes to 3b;
        // 3a keeps the days of its own events
        RawEvent.of("login").user("pd-user-3b").anon("pd-anon-3").at("2026-01-06T11:00:00Z").insertInto(db);
        db.runPipeline();

        assertThat(days()).containsExactly(
                List.of("pd-user-3a", "2026-01-07"), List.of("pd-user-3a", "2026-01-09"),
                List.of("pd-user-3b", "2026-01-05"), List.of("pd-user-3b", "2026-01-06"));
        assertEqualsOracle();
    }

    @Test
    void forgettingAPersonRemovesTheirDaysAndNobodyElses() throws SQLException {
        RawEvent.of("page").anon("pd-anon-5").at("2026-01-05T09:00:00Z").insertInto(db);
        RawEvent.of("login").user("pd-user-5").anon("pd-anon-5").at("2026-01-06T09:00:00Z").insertInto(db);
        RawEvent.of("page").user("pd-user-6").at("2026-01-06T09:00:00Z").insertInto(db);
        db.runPipeline();

        db.execute("CALL warehouse.forget_person('pd-user-5')");

        assertThat(days()).containsExactly(List.of("pd-user-6", "2026-01-06"));
        assertThat(db.rows("SELECT cohort_size::text FROM analytics.mv_retention_cohorts"
                + " WHERE granularity = 'day' AND period_number = 0 ORDER BY cohort_start"))
                .containsExactly(List.of("1"));
        assertEqualsOracle();
        assertViewsEqualOracles();
    }

    @Test
    void droppingAnExpiredMonthRemovesItsDays() throws SQLException {
        var now = OffsetDateTime.now(ZoneOffset.UTC);
        var old = now.minusMonths(3).withDayOfMonth(10);
        RawEvent.of("page").user("pd-user-7").at(old).insertInto(db);
        RawEvent.of("page").user("pd-user-7").at(now.minusDays(1)).insertInto(db);
        RawEvent.of("page").user("pd-user-8").at(old.plusDays(1)).insertInto(db);
        db.runPipeline();
        assertThat(db.count("SELECT count(*) FROM warehouse.person_days")).isEqualTo(3);

        db.execute("SELECT warehouse.set_setting('event_retention', '31d')");
        db.runPipeline();

        assertThat(days()).containsExactly(List.of("pd-user-7", now.minusDays(1).toLocalDate().toString()));
        assertEqualsOracle();
        assertViewsEqualOracles();
    }

    /**
     * Many small runs of mixed traffic: visitors who identify in a later run, users on several
     * devices, a few re-links to an earlier user, late events, duplicates; the table must equal the
     * oracle after every run, and so must the retention view computed on it.
     */
    @Test
    void afterEveryRunOfMixedTrafficTheTableEqualsAFullRecompute() throws SQLException {
        var random = new Random(17);
        var start = OffsetDateTime.parse("2026-02-01T00:00:00Z");
        for (int run = 0; run < 12; run++) {
            for (int i = 0; i < 60; i++) {
                int person = random.nextInt(25);
                var at = start.plusHours(run * 20L + random.nextInt(20)).minusDays(random.nextInt(10) == 0 ? 3 : 0);
                var event = RawEvent.of(random.nextBoolean() ? "page" : "click").at(at);
                switch (random.nextInt(6)) {
                    case 0, 1 -> event.anon("mix-anon-" + person);
                    case 2 -> event.anon("mix-anon-" + person + "-phone");
                    case 3 -> event.user("mix-user-" + person);
                    case 4 -> event.user("mix-user-" + person).anon("mix-anon-" + person);
                    default -> event.user("mix-user-" + (person + random.nextInt(2))).anon("mix-anon-" + person + "-phone");
                }
                event.insertInto(db);
                if (random.nextInt(15) == 0) {
                    RawEvent.of("page").id(event.eventId()).user("mix-user-dup").at(at).insertInto(db);
                }
            }
            db.execute("CALL warehouse.run_pipeline(batch_size => 25)");
            assertEqualsOracle();
            assertViewsEqualOracles();
        }
        assertThat(db.count("SELECT count(*) FROM warehouse.person_days")).isGreaterThan(100);
        // at least one re-link happened, so the rebuild path ran
        assertThat(db.count("SELECT count(*) FROM warehouse.identity_links WHERE anonymous_id LIKE '%-phone'")).isPositive();

        String retentionFromEvents = """
                WITH d AS (SELECT DISTINCT person, (occurred_at AT TIME ZONE 'UTC')::date AS day FROM warehouse.event_stream),
                f AS (SELECT person, min(day) AS first_day FROM d GROUP BY person)
                SELECT f.first_day, d.day - f.first_day AS period_number, count(*) AS retained
                FROM d JOIN f USING (person) WHERE d.day - f.first_day <= 30 GROUP BY 1, 2""";
        assertThat(db.count("SELECT count(*) FROM ((" + retentionFromEvents + ") EXCEPT"
                + " (SELECT cohort_start, period_number, retained FROM analytics.mv_retention_cohorts"
                + "  WHERE granularity = 'day' AND retained > 0)) x")).isZero();
        assertThat(db.count("SELECT count(*) FROM ((SELECT cohort_start, period_number, retained FROM analytics.mv_retention_cohorts"
                + "  WHERE granularity = 'day' AND retained > 0) EXCEPT (" + retentionFromEvents + ")) x")).isZero();
    }

    @Test
    void eventsDatedAfterTodayWaitForTheirDay() throws SQLException {
        var today = OffsetDateTime.now(ZoneOffset.UTC).withHour(12).withMinute(0).withSecond(0).withNano(0);
        RawEvent.of("page").user("pd-user-9").at(today.minusDays(9)).insertInto(db);
        RawEvent.of("page").user("pd-user-9").at(today.minusDays(2)).insertInto(db);
        RawEvent.of("page").user("pd-user-10").at(today.minusDays(1)).insertInto(db);
        RawEvent.of("page").user("pd-user-10").at(today.plusDays(1)).insertInto(db);   // tomorrow
        db.runPipeline();
        assertViewsEqualOracles();
        assertThat(db.rows("SELECT dau::text, wau::text FROM analytics.mv_active_persons WHERE day = (now() AT TIME ZONE 'UTC')::date"))
                .containsExactly(List.of("0", "2"));

        // the counts as they were five days ago: the last days have come since, and the next
        // refresh takes them in (as it will take in tomorrow's event tomorrow)
        db.execute("SELECT warehouse.person_cells_rebuild_all(((now() AT TIME ZONE 'UTC') - interval '5 days')::date)");
        assertThat(db.count("SELECT count(*) FROM warehouse.activity_cells WHERE dau > 0")).isEqualTo(1);
        db.execute("SELECT warehouse.refresh_view('mv_active_persons')", "SELECT warehouse.refresh_view('mv_lifecycle')");
        assertViewsEqualOracles();
        assertThat(db.rows("SELECT dau::text, wau::text, mau::text FROM analytics.mv_active_persons"
                + " WHERE day = ((now() AT TIME ZONE 'UTC') - interval '1 day')::date"))
                .containsExactly(List.of("1", "2", "2"));
    }

    private void assertViewsEqualOracles() throws SQLException {
        for (String[] pair : new String[][] {
                {"SELECT granularity, period_start, status, persons FROM analytics.mv_lifecycle", LIFECYCLE_ORACLE},
                {"SELECT day, dau, wau, mau FROM analytics.mv_active_persons", ACTIVE_ORACLE},
                {"SELECT day, event_type, events, persons FROM analytics.mv_daily_activity", DAILY_ACTIVITY_ORACLE}}) {
            assertThat(db.rows("(" + pair[0] + ") EXCEPT (" + pair[1] + ")")).as("in the view, not the oracle: " + pair[0]).isEmpty();
            assertThat(db.rows("(" + pair[1] + ") EXCEPT (" + pair[0] + ")")).as("in the oracle, not the view: " + pair[0]).isEmpty();
        }
    }

    private List<List<String>> days() throws SQLException {
        return db.rows("SELECT person, day::text FROM warehouse.person_days ORDER BY 1, 2");
    }

    private void assertEqualsOracle() throws SQLException {
        assertThat(db.rows("(" + ORACLE + ") EXCEPT SELECT person, day FROM warehouse.person_days"))
                .as("days in the facts but not in warehouse.person_days").isEmpty();
        assertThat(db.rows("SELECT person, day FROM warehouse.person_days EXCEPT (" + ORACLE + ")"))
                .as("days in warehouse.person_days but not in the facts").isEmpty();
    }
}
