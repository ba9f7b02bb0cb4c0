package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * warehouse.sessions (V15) is kept by the pipeline batch by batch, from each batch's events and
 * the stored sessions they can touch, never from the facts again; after every run it must hold
 * exactly what V10's full recompute of analytics.mv_sessions over every fact gives (the oracle,
 * kept here verbatim), and so must mv_sessions and the two per-day session views.
 */
class IncrementalSessionsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    /** V10's definition of analytics.mv_sessions, over all of warehouse.event_stream. */
    static final String ORACLE = """
            WITH ordered AS (
                SELECT e.person, e.event_id, e.occurred_at, e.event_type, e.account_id,
                       CASE WHEN e.occurred_at - lag(e.occurred_at) OVER w <= interval '30 minutes'
                            THEN 0 ELSE 1 END                                                        AS starts_session,
                       NOT coalesce(lead(e.occurred_at) OVER w - e.occurred_at <= interval '30 minutes', false) AS ends_session,
                       row_number() OVER w                                                           AS n
                FROM warehouse.event_stream e
                WINDOW w AS (PARTITION BY e.person ORDER BY e.occurred_at, e.event_id)
            ), numbered AS (
                SELECT o.*,
                       sum(o.starts_session) OVER (PARTITION BY o.person ORDER BY o.occurred_at, o.event_id
                                                   ROWS UNBOUNDED PRECEDING) AS session_number
                FROM ordered o
            )
            SELECT md5(n.person || '/' || max(n.event_id::text) FILTER (WHERE n.starts_session = 1))     AS session_id,
                   n.person,
                   coalesce(substr(min(lpad(n.n::text, 20, '0') || n.account_id COLLATE "C")
                                       FILTER (WHERE n.account_id IS NOT NULL), 21), '')            AS account_id,
                   min(n.occurred_at)                                                                AS started_at,
                   max(n.occurred_at)                                                                AS ended_at,
                   extract(epoch FROM max(n.occurred_at) - min(n.occurred_at))::double precision     AS duration_seconds,
                   count(*)                                                                          AS event_count,
                   max(n.event_type) FILTER (WHERE n.starts_session = 1)                             AS first_event_type,
                   max(n.event_type) FILTER (WHERE n.ends_session)                                   AS last_event_type
            FROM numbered n
            GROUP BY n.person, n.session_number""";

    static final String TABLE = """
            SELECT session_id, person, account_id, started_at, ended_at,
                   extract(epoch FROM ended_at - started_at)::double precision AS duration_seconds,
                   event_count, first_event_type, last_event_type
            FROM warehouse.sessions""";

    static final String VIEW = """
            SELECT session_id, person, account_id, started_at, ended_at, duration_seconds,
                   event_count, first_event_type, last_event_type
            FROM analytics.mv_sessions""";

    /** V12's mv_session_days over a sessions relation (%s). */
    static final String SESSION_DAYS = """
            SELECT (s.started_at AT TIME ZONE 'UTC')::date AS day, count(*) AS sessions, count(DISTINCT s.person) AS persons,
                   sum(s.event_count)::bigint AS events, sum(s.duration_seconds) AS total_seconds,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY s.duration_seconds) AS median_seconds,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY s.duration_seconds) AS p90_seconds,
                   count(*) FILTER (WHERE s.duration_seconds = 0) AS single_moment,
                   count(*) FILTER (WHERE s.duration_seconds > 0 AND s.duration_seconds < 60) AS under_1m,
                   count(*) FILTER (WHERE s.duration_seconds >= 60 AND s.duration_seconds < 300) AS from_1m_to_5m,
                   count(*) FILTER (WHERE s.duration_seconds >= 300 AND s.duration_seconds < 900) AS from_5m_to_15m,
                   count(*) FILTER (WHERE s.duration_seconds >= 900 AND s.duration_seconds < 1800) AS from_15m_to_30m,
                   count(*) FILTER (WHERE s.duration_seconds >= 1800 AND s.duration_seconds < 3600) AS from_30m_to_1h,
                   count(*) FILTER (WHERE s.duration_seconds >= 3600) AS over_1h
            FROM (%s) s GROUP BY 1""";

    /** V12's mv_session_event_types over a sessions relation (%1$s). */
    static final String SESSION_EVENT_TYPES = """
            SELECT day, event_type, sum(entries)::bigint AS entries, sum(exits)::bigint AS exits
            FROM (SELECT (started_at AT TIME ZONE 'UTC')::date AS day, first_event_type AS event_type, 1 AS entries, 0 AS exits FROM (%1$s) a
                  UNION ALL
                  SELECT (started_at AT TIME ZONE 'UTC')::date, last_event_type, 0, 1 FROM (%1$s) b) x
            GROUP BY day, event_type""";

    private static final String COLUMNS = "session_id, account_id, started_at, ended_at,"
            + " duration_seconds, event_count, first_event_type, last_event_type";

    @BeforeEach
    void empty() throws SQLException {
        db.execute("TRUNCATE staging.raw_events, warehouse.fact_events, warehouse.loaded_events, warehouse.dim_users,"
                        + " warehouse.identity_links, warehouse.person_days, warehouse.sessions, warehouse.session_days,"
                        + " warehouse.session_event_types",
                "UPDATE warehouse.pipeline_state SET loaded_through = 0",
                "SELECT warehouse.set_setting('event_retention', 'off')");
    }

    @Test
    void lateEventsBridgeSessionsExtendThemAtExactlyThirtyMinutesAndStartANewOneAfterThat() throws SQLException {
        var open = RawEvent.of("open").user("br").at("2026-03-02T10:00:00Z").insertInto(db);
        RawEvent.of("view").user("br").account("b").at("2026-03-02T10:20:00Z").insertInto(db);
        var second = RawEvent.of("view").user("br").account("a").at("2026-03-02T11:00:00Z").insertInto(db);  // 40 min gap
        RawEvent.of("close").user("br").at("2026-03-02T11:15:00Z").insertInto(db);
        db.runPipeline();
        assertThat(sessionsOf("br")).containsExactly(
                List.of(sessionId("br", open.eventId()), "b", "2026-03-02 10:00:00+00", "2026-03-02 10:20:00+00", "1200", "2", "open", "view"),
                List.of(sessionId("br", second.eventId()), "a", "2026-03-02 11:00:00+00", "2026-03-02 11:15:00+00", "900", "2", "view", "close"));

        // late, in the 40-minute gap: 25 and 15 minutes from its neighbours, so one session of 5;
        // the account is still that of 10:20, the first event with one
        RawEvent.of("late").user("br").account("z").at("2026-03-02T10:45:00Z").insertInto(db);
        db.runPipeline();
        assertThat(sessionsOf("br")).containsExactly(
                List.of(sessionId("br", open.eventId()), "b", "2026-03-02 10:00:00+00", "2026-03-02 11:15:00+00", "4500", "5", "open", "close"));

        // exactly 30 minutes before the first event: the session now starts there (new id, account)
        var start = RawEvent.of("start").user("br").account("early").at("2026-03-02T09:30:00Z").insertInto(db);
        // exactly 30 minutes after the last one: stays in
        RawEvent.of("stay").user("br").at("2026-03-02T11:45:00Z").insertInto(db);
        db.runPipeline();
        assertThat(sessionsOf("br")).containsExactly(
                List.of(sessionId("br", start.eventId()), "early", "2026-03-02 09:30:00+00", "2026-03-02 11:45:00+00", "8100", "7", "start", "stay"));

        // 30:01 after the last one: a session of its own; 30:00 after that one: in it
        var next = RawEvent.of("again").user("br").at("2026-03-02T12:15:01Z").insertInto(db);
        RawEvent.of("again2").user("br").at("2026-03-02T12:45:01Z").insertInto(db);
        db.execute("CALL warehouse.run_pipeline(batch_size => 1)");
        assertThat(sessionsOf("br")).containsExactly(
                List.of(sessionId("br", start.eventId()), "early", "2026-03-02 09:30:00+00", "2026-03-02 11:45:00+00", "8100", "7", "start", "stay"),
                List.of(sessionId("br", next.eventId()), "", "2026-03-02 12:15:01+00", "2026-03-02 12:45:01+00", "1800", "2", "again", "again2"));

        // one late event at 11:45:30 bridges both (30 s after 11:45:00, 29:31 before 12:15:01)
        RawEvent.of("bridge").user("br").at("2026-03-02T11:45:30Z").insertInto(db);
        db.runPipeline();
        assertThat(sessionsOf("br")).containsExactly(
                List.of(sessionId("br", start.eventId()), "early", "2026-03-02 09:30:00+00", "2026-03-02 12:45:01+00", "11701", "10", "start", "again2"));
        assertEqualsOracle();
    }

    @Test
    void equalTimestampsAreOrderedByEventIdWhicheverArrivesFirst() throws SQLException {
        RawEvent.of("b-first").id("30000000-0000-0000-0000-00000000000b").user("tie").account("acct-b")
                .at("2026-03-04T10:00:00Z").insertInto(db);
        RawEvent.of("c-last").id("30000000-0000-0000-0000-00000000000c").user("tie").at("2026-03-04T10:10:00Z").insertInto(db);
        db.runPipeline();
        assertThat(sessionsOf("tie")).containsExactly(List.of(sessionId("tie", UUID.fromString("30000000-0000-0000-0000-00000000000b")),
                "acct-b", "2026-03-04 10:00:00+00", "2026-03-04 10:10:00+00", "600", "2", "b-first", "c-last"));

        // same instants, smaller id at the start, larger at the end: they become first and last
        RawEvent.of("a-first").id("30000000-0000-0000-0000-00000000000a").user("tie").account("acct-a")
                .at("2026-03-04T10:00:00Z").insertInto(db);
        RawEvent.of("d-last").id("30000000-0000-0000-0000-00000000000d").user("tie").at("2026-03-04T10:10:00Z").insertInto(db);
        db.execute("CALL warehouse.run_pipeline(batch_size => 1)");
        assertThat(sessionsOf("tie")).containsExactly(List.of(sessionId("tie", UUID.fromString("30000000-0000-0000-0000-00000000000a")),
                "acct-a", "2026-03-04 10:00:00+00", "2026-03-04 10:10:00+00", "600", "4", "a-first", "d-last"));
        assertEqualsOracle();
    }

    @Test
    void aVisitorWhoIdentifiesLaterBringsTheirSessionsToTheUserAndTheyMerge() throws SQLException {
        var visit = RawEvent.of("page").anon("id-anon").at("2026-03-05T09:00:00Z").insertInto(db);
        RawEvent.of("page").anon("id-anon").account("acct-v").at("2026-03-05T09:10:00Z").insertInto(db);
        var own = RawEvent.of("page").user("id-user").at("2026-03-05T09:25:00Z").insertInto(db);
        var noon = RawEvent.of("page").user("id-user").at("2026-03-05T12:00:00Z").insertInto(db);
        db.runPipeline();
        assertThat(sessionsOf("id-anon")).hasSize(1);
        assertThat(sessionsOf("id-user")).containsExactly(
                List.of(sessionId("id-user", own.eventId()), "", "2026-03-05 09:25:00+00", "2026-03-05 09:25:00+00", "0", "1", "page", "page"),
                List.of(sessionId("id-user", noon.eventId()), "", "2026-03-05 12:00:00+00", "2026-03-05 12:00:00+00", "0", "1", "page", "page"));

        var identify = RawEvent.of("identify").user("id-user").anon("id-anon").at("2026-03-05T13:00:00Z").insertInto(db);
        db.runPipeline();

        // the visitor's 09:00-09:10 and the user's 09:25 are one session of the user now
        assertThat(sessionsOf("id-anon")).isEmpty();
        assertThat(sessionsOf("id-user")).containsExactly(
                List.of(sessionId("id-user", visit.eventId()), "acct-v", "2026-03-05 09:00:00+00", "2026-03-05 09:25:00+00", "1500", "3", "page", "page"),
                List.of(sessionId("id-user", noon.eventId()), "", "2026-03-05 12:00:00+00", "2026-03-05 12:00:00+00", "0", "1", "page", "page"),
                List.of(sessionId("id-user", identify.eventId()), "", "2026-03-05 13:00:00+00", "2026-03-05 13:00:00+00", "0", "1", "identify", "identify"));
        assertEqualsOracle();
    }

    @Test
    void anAnonymousIdRelinkedToAnEarlierUserIsRecomputedForBothUsers() throws SQLException {
        var visit = RawEvent.of("page").anon("rl-anon").at("2026-03-06T09:00:00Z").insertInto(db);
        var login = RawEvent.of("login").user("rl-a").anon("rl-anon").at("2026-03-06T09:20:00Z").insertInto(db);
        RawEvent.of("page").user("rl-a").at("2026-03-06T09:40:00Z").insertInto(db);
        db.runPipeline();
        assertThat(sessionsOf("rl-a")).containsExactly(
                List.of(sessionId("rl-a", visit.eventId()), "", "2026-03-06 09:00:00+00", "2026-03-06 09:40:00+00", "2400", "3", "page", "page"));

        // happened earlier, arrives later: the visitor's event goes to rl-b; rl-a keeps its own two
        var earlier = RawEvent.of("login").user("rl-b").anon("rl-anon").at("2026-03-06T08:50:00Z").insertInto(db);
        db.runPipeline();
        assertThat(sessionsOf("rl-a")).containsExactly(
                List.of(sessionId("rl-a", login.eventId()), "", "2026-03-06 09:20:00+00", "2026-03-06 09:40:00+00", "1200", "2", "login", "page"));
        assertThat(sessionsOf("rl-b")).containsExactly(
                List.of(sessionId("rl-b", earlier.eventId()), "", "2026-03-06 08:50:00+00", "2026-03-06 09:00:00+00", "600", "2", "login", "page"));
        assertEqualsOracle();
    }

    @Test
    void forgettingAPersonRemovesTheirSessionsAndNobodyElses() throws SQLException {
        RawEvent.of("page").anon("fg-anon").at("2026-03-07T09:00:00Z").insertInto(db);
        RawEvent.of("login").user("fg-user").anon("fg-anon").at("2026-03-07T09:05:00Z").insertInto(db);
        RawEvent.of("page").user("fg-user").at("2026-03-07T15:00:00Z").insertInto(db);
        var other = RawEvent.of("page").user("fg-other").at("2026-03-07T09:00:00Z").insertInto(db);
        db.runPipeline();
        assertThat(db.count("SELECT count(*) FROM warehouse.sessions WHERE person = 'fg-user'")).isEqualTo(2);

        db.execute("CALL warehouse.forget_person('fg-user')");

        assertThat(db.rows("SELECT person, session_id FROM analytics.mv_sessions"))
                .containsExactly(List.of("fg-other", sessionId("fg-other", other.eventId())));
        assertEqualsOracle();
    }

    @Test
    void droppingAnExpiredMonthRemovesItsSessionsAndRecomputesOneThatStraddlesTheBoundary() throws SQLException {
        RawEvent.of("june").user("ex").at("2025-06-30T20:00:00Z").insertInto(db);
        var straddling = RawEvent.of("before").user("ex").account("acct-june").at("2025-06-30T23:50:00Z").insertInto(db);
        var first = RawEvent.of("after").user("ex").at("2025-07-01T00:10:00Z").insertInto(db);
        RawEvent.of("after").user("ex").account("acct-july").at("2025-07-01T00:35:00Z").insertInto(db);
        var later = RawEvent.of("later").user("ex").at("2025-07-02T08:00:00Z").insertInto(db);
        var may = RawEvent.of("may").user("ex-may").at("2025-05-31T23:59:00Z").insertInto(db);
        db.runPipeline();
        assertThat(sessionsOf("ex")).hasSize(3).element(1).isEqualTo(List.of(sessionId("ex", straddling.eventId()), "acct-june", "2025-06-30 23:50:00+00", "2025-07-01 00:35:00+00", "2700", "3", "before", "after"));
        assertThat(sessionsOf("ex-may")).containsExactly(List.of(sessionId("ex-may", may.eventId()), "",
                "2025-05-31 23:59:00+00", "2025-05-31 23:59:00+00", "0", "1", "may", "may"));

        // May and June go (their months ended more than 31 days before 2025-08-01 12:00), July stays
        db.execute("SELECT warehouse.set_setting('event_retention', '31d')",
                "CALL warehouse.apply_data_retention(NULL, NULL, timestamptz '2025-08-01 12:00:00+00')",
                "SELECT warehouse.refresh_standard_views()");

        assertThat(sessionsOf("ex")).containsExactly(
                List.of(sessionId("ex", first.eventId()), "acct-july", "2025-07-01 00:10:00+00", "2025-07-01 00:35:00+00", "1500", "2", "after", "after"),
                List.of(sessionId("ex", later.eventId()), "", "2025-07-02 08:00:00+00", "2025-07-02 08:00:00+00", "0", "1", "later", "later"));
        assertThat(sessionsOf("ex-may")).isEmpty();
        assertEqualsOracle();
    }

    /**
     * Many small runs of dense mixed traffic: minutes-apart events of few persons (so sessions
     * grow, merge and tie), visitors who identify later, users on several devices, re-links to an
     * earlier user, late events, duplicates; after every run the table, the view and the two day
     * views equal the full recompute.
     */
    @Test
    void afterEveryRunOfDenseMixedTrafficEverySessionViewEqualsAFullRecompute() throws SQLException {
        var random = new Random(23);
        var start = OffsetDateTime.parse("2026-02-10T00:00:00Z");
        for (int run = 0; run < 15; run++) {
            for (int i = 0; i < 50; i++) {
                int person = random.nextInt(8);
                // minutes, often whole half hours (exact 30-minute gaps, equal timestamps); sometimes late
                int minute = random.nextInt(3) == 0 ? 30 * random.nextInt(60) : random.nextInt(1800);
                var at = start.plusMinutes(run * 120L + minute).minusHours(random.nextInt(8) == 0 ? 20 : 0);
                var event = RawEvent.of("t" + random.nextInt(4)).at(at);
                if (random.nextBoolean()) {
                    event.account("acct-" + random.nextInt(3));
                }
                switch (random.nextInt(6)) {
                    case 0, 1 -> event.anon("dm-anon-" + person);
                    case 2 -> event.anon("dm-anon-" + person + "-phone");
                    case 3 -> event.user("dm-user-" + person);
                    case 4 -> event.user("dm-user-" + person).anon("dm-anon-" + person);
                    default -> event.user("dm-user-" + (person + random.nextInt(2))).anon("dm-anon-" + person + "-phone");
                }
                event.insertInto(db);
                if (random.nextInt(20) == 0) {
                    RawEvent.of("dup").id(event.eventId()).user("dm-user-dup").at(at).insertInto(db);
                }
            }
            db.execute("CALL warehouse.run_pipeline(refresh => false, batch_size => " + (1 + random.nextInt(30)) + ")");
            assertEqualsOracle();
        }
        assertThat(db.count("SELECT count(*) FROM warehouse.sessions WHERE event_count > 3")).isGreaterThan(10);
        assertThat(db.count("SELECT count(*) FROM warehouse.identity_links WHERE anonymous_id LIKE '%-phone'")).isPositive();
    }

    /** The migration's backfill: a database loaded before V15 gets the sessions of its facts. */
    @Test
    void theMigrationBackfillsTheSessionsOfFactsLoadedBeforeIt() throws SQLException {
        var before = TestDatabase.empty();
        try {
            before.create("IncrementalSessionsBackfill");
            org.flywaydb.core.Flyway.configure().dataSource(before.dataSource()).locations(Migrations.LOCATION)
                    .placeholderReplacement(false).target("14").load().migrate();
            var random = new Random(5);
            for (int i = 0; i < 200; i++) {
                RawEvent.of("t" + random.nextInt(3)).user("bf-" + random.nextInt(6))
                        .at(OffsetDateTime.parse("2026-02-01T00:00:00Z").plusMinutes(random.nextInt(3000))).insertInto(before);
            }
            before.execute("CALL warehouse.run_pipeline(refresh => false)");

            Migrations.migrate(before.dataSource());

            assertThat(before.rows("(" + ORACLE + ") EXCEPT ALL (" + VIEW + ")")).isEmpty();
            assertThat(before.rows("(" + VIEW + ") EXCEPT ALL (" + ORACLE + ")")).isEmpty();
            assertThat(before.count("SELECT count(*) FROM analytics.mv_sessions")).isGreaterThan(20);
        } finally {
            before.drop();
        }
    }

    private List<List<String>> sessionsOf(String person) throws SQLException {
        return db.rows("SELECT " + COLUMNS + " FROM analytics.mv_sessions WHERE person = '" + person + "' ORDER BY started_at");
    }

    /** The table, the refreshed view and the day views against the full recompute, both ways. */
    private void assertEqualsOracle() throws SQLException {
        db.execute("SELECT warehouse.refresh_standard_views()");
        for (String kept : List.of(TABLE, VIEW)) {
            assertThat(db.rows("(" + ORACLE + ") EXCEPT ALL (" + kept + ")")).as("sessions of the facts missing from: " + kept).isEmpty();
            assertThat(db.rows("(" + kept + ") EXCEPT ALL (" + ORACLE + ")")).as("sessions not of the facts in: " + kept).isEmpty();
        }
        String days = "SELECT * FROM analytics.mv_session_days";
        assertThat(db.rows("(" + SESSION_DAYS.formatted(ORACLE) + ") EXCEPT ALL " + days)).isEmpty();
        assertThat(db.rows(days + " EXCEPT ALL (" + SESSION_DAYS.formatted(ORACLE) + ")")).isEmpty();
        String types = "SELECT * FROM analytics.mv_session_event_types";
        assertThat(db.rows("(" + SESSION_EVENT_TYPES.formatted(ORACLE) + ") EXCEPT ALL " + types)).isEmpty();
        assertThat(db.rows(types + " EXCEPT ALL (" + SESSION_EVENT_TYPES.formatted(ORACLE) + ")")).isEmpty();
    }

    /** md5 of the person and the session's first event_id, worked out here independently of the SQL. */
    private static String sessionId(String person, UUID firstEvent) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5")
                    .digest((person + "/" + firstEvent).getBytes(StandardCharsets.UTF_8));
            return String.format("%032x", new BigInteger(1, digest));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
