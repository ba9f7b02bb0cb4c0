package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** semantics.md, Sessions: a new session after a gap of more than 30 minutes. */
class SessionsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    private static final String COLUMNS = "session_id, account_id, started_at, ended_at, duration_seconds,"
            + " event_count, first_event_type, last_event_type";

    @Test
    void aGapOfExactlyThirtyMinutesStaysInTheSessionOneSecondMoreStartsANewOne() throws SQLException {
        var first = RawEvent.of("open").user("s1").at("2026-03-02T10:00:00Z").insertInto(db);
        RawEvent.of("click").user("s1").account("acme").at("2026-03-02T10:30:00Z").insertInto(db);      // +30:00
        var third = RawEvent.of("close").user("s1").account("beta").at("2026-03-02T11:00:01Z").insertInto(db); // +30:01
        db.runPipeline();

        assertThat(db.rows("SELECT " + COLUMNS + " FROM analytics.mv_sessions WHERE person = 's1' ORDER BY started_at"))
                .containsExactly(
                        // 10:00 .. 10:30: two events, 1800 s; account of its first event that has one
                        List.of(sessionId("s1", first.eventId()), "acme", "2026-03-02 10:00:00+00",
                                "2026-03-02 10:30:00+00", "1800", "2", "open", "click"),
                        List.of(sessionId("s1", third.eventId()), "beta", "2026-03-02 11:00:01+00",
                                "2026-03-02 11:00:01+00", "0", "1", "close", "close"));
    }

    @Test
    void aLateEventThatFillsTheGapJoinsTwoSessionsIntoOne() throws SQLException {
        var first = RawEvent.of("open").user("s2").at("2026-03-03T10:00:00Z").insertInto(db);
        RawEvent.of("close").user("s2").at("2026-03-03T11:00:00Z").insertInto(db); // 60 min later: a second session
        db.runPipeline();
        assertThat(db.rows("SELECT session_id, event_count FROM analytics.mv_sessions WHERE person = 's2' ORDER BY started_at"))
                .hasSize(2)
                .first().isEqualTo(List.of(sessionId("s2", first.eventId()), "1"));

        // arrives late, happened in between: 10:00 -> 10:30 -> 11:00, no gap over 30 minutes
        RawEvent.of("click").user("s2").at("2026-03-03T10:30:00Z").insertInto(db);
        db.runPipeline();

        assertThat(db.rows("SELECT " + COLUMNS + " FROM analytics.mv_sessions WHERE person = 's2'"))
                .containsExactly(List.of(sessionId("s2", first.eventId()), "", "2026-03-03 10:00:00+00",
                        "2026-03-03 11:00:00+00", "3600", "3", "open", "close"));
    }

    @Test
    void eventsAtTheSameInstantAreOrderedByEventId() throws SQLException {
        RawEvent.of("second").id("20000000-0000-0000-0000-00000000000b").user("s3").at("2026-03-04T10:00:00Z").insertInto(db);
        RawEvent.of("first").id("20000000-0000-0000-0000-00000000000a").user("s3").at("2026-03-04T10:00:00Z").insertInto(db);
        db.runPipeline();

        assertThat(db.rows("SELECT session_id, first_event_type, last_event_type FROM analytics.mv_sessions WHERE person = 's3'"))
                .containsExactly(List.of(sessionId("s3", UUID.fromString("20000000-0000-0000-0000-00000000000a")),
                        "first", "second"));
    }

    @Test
    void theAccountIsThatOfTheFirstEventInTheSessionThatHasOneInEventOrderNotByName() throws SQLException {
        // session 1: 11 events a minute apart: none, zeta, then alpha x 9 -> zeta (not the least name);
        // session 2, two hours later, the person's 12th and 13th events: none, beta -> beta
        var start = RawEvent.of("open").user("s4").at("2026-03-05T10:00:00Z").insertInto(db);
        RawEvent.of("step").user("s4").account("zeta").at("2026-03-05T10:01:00Z").insertInto(db);
        for (int i = 2; i <= 10; i++) {
            RawEvent.of("step").user("s4").account("alpha").at("2026-03-05T10:%02d:00Z".formatted(i)).insertInto(db);
        }
        var later = RawEvent.of("open").user("s4").at("2026-03-05T12:10:00Z").insertInto(db);
        RawEvent.of("close").user("s4").account("beta").at("2026-03-05T12:11:00Z").insertInto(db);
        db.runPipeline();

        assertThat(db.rows("SELECT " + COLUMNS + " FROM analytics.mv_sessions WHERE person = 's4' ORDER BY started_at"))
                .containsExactly(
                        List.of(sessionId("s4", start.eventId()), "zeta", "2026-03-05 10:00:00+00",
                                "2026-03-05 10:10:00+00", "600", "11", "open", "step"),
                        List.of(sessionId("s4", later.eventId()), "beta", "2026-03-05 12:10:00+00",
                                "2026-03-05 12:11:00+00", "60", "2", "open", "close"));
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
