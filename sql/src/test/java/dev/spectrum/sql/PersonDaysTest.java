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

    private static final String ORACLE =
            "SELECT DISTINCT person, (occurred_at AT TIME ZONE 'UTC')::date AS day FROM warehouse.event_stream";

    @BeforeEach
    void empty() throws SQLException {
        db.execute("TRUNCATE staging.raw_events, warehouse.fact_events, warehouse.loaded_events, warehouse.dim_users,"
                        + " warehouse.identity_links, warehouse.person_days",
                "UPDATE warehouse.pipeline_state SET loaded_through = 0",
                "SELECT warehouse.set_setting('event_retention', 'off')");
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
