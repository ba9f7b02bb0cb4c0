package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** semantics.md, Person: user_id, else the earliest-linked user of the anonymous id, else the anonymous id. */
class IdentityTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    @Test
    void anonymousEventsSentBeforeIdentifyingJoinTheUser() throws SQLException {
        var browse = RawEvent.of("page").anon("anon-1").at("2026-01-05T10:00:00Z").insertInto(db);
        var pricing = RawEvent.of("page").anon("anon-1").at("2026-01-05T10:05:00Z").insertInto(db);
        var signup = RawEvent.of("signup").user("user-1").anon("anon-1").at("2026-01-05T10:10:00Z").insertInto(db);
        var purchase = RawEvent.of("purchase").user("user-1").at("2026-01-06T09:00:00Z").insertInto(db);
        db.runPipeline();

        for (var event : new RawEvent[] {browse, pricing, signup, purchase}) {
            assertThat(personOf(event.eventId())).isEqualTo("user-1");
        }
        assertThat(db.count("SELECT count(DISTINCT person) FROM warehouse.event_stream WHERE person IN ('user-1', 'anon-1')"))
                .isEqualTo(1);
    }

    @Test
    void aLinkThatArrivesInALaterRunRewritesEarlierEvents() throws SQLException {
        var early = RawEvent.of("page").anon("anon-2").at("2026-01-05T08:00:00Z").insertInto(db);
        db.runPipeline();
        assertThat(personOf(early.eventId())).isEqualTo("anon-2");
        assertThat(db.count("SELECT count(*) FROM analytics.mv_sessions WHERE person = 'anon-2'")).isEqualTo(1);

        RawEvent.of("login").user("user-2").anon("anon-2").at("2026-01-07T08:00:00Z").insertInto(db);
        db.runPipeline();

        assertThat(personOf(early.eventId())).isEqualTo("user-2");
        // the views follow: the anonymous session now belongs to user-2, nothing is left under anon-2
        assertThat(db.count("SELECT count(*) FROM analytics.mv_sessions WHERE person = 'anon-2'")).isZero();
        assertThat(db.count("SELECT count(*) FROM analytics.mv_sessions WHERE person = 'user-2'")).isEqualTo(2);
    }

    @Test
    void theEarliestLinkInEventOrderWinsNotTheFirstToArrive() throws SQLException {
        var anonymous = RawEvent.of("page").anon("anon-3").at("2026-01-05T09:00:00Z").insertInto(db);
        RawEvent.of("login").user("user-3a").anon("anon-3").at("2026-01-05T12:00:00Z").insertInto(db);
        db.runPipeline();
        assertThat(personOf(anonymous.eventId())).isEqualTo("user-3a");

        // arrives later but happened earlier: it is the earliest link, so it wins
        RawEvent.of("login").user("user-3b").anon("anon-3").at("2026-01-05T11:00:00Z").insertInto(db);
        // arrives later and happened later: changes nothing
        RawEvent.of("login").user("user-3c").anon("anon-3").at("2026-01-05T13:00:00Z").insertInto(db);
        db.runPipeline();

        assertThat(personOf(anonymous.eventId())).isEqualTo("user-3b");
        assertThat(db.rows("SELECT user_id FROM warehouse.identity_links WHERE anonymous_id = 'anon-3'"))
                .containsExactly(java.util.List.of("user-3b"));
        // events that carry a user_id keep that user_id as their person
        assertThat(db.count("SELECT count(DISTINCT person) FROM warehouse.event_stream"
                + " WHERE person IN ('user-3a', 'user-3b', 'user-3c')")).isEqualTo(3);
    }

    @Test
    void linksAtTheSameInstantAreOrderedByEventId() throws SQLException {
        var anonymous = RawEvent.of("page").anon("anon-4").at("2026-01-05T09:00:00Z").insertInto(db);
        RawEvent.of("login").id("ffffffff-0000-0000-0000-000000000004").user("user-4-late-id")
                .anon("anon-4").at("2026-01-05T10:00:00Z").insertInto(db);
        RawEvent.of("login").id("00000000-0000-0000-0000-000000000004").user("user-4-early-id")
                .anon("anon-4").at("2026-01-05T10:00:00Z").insertInto(db);
        db.runPipeline();

        assertThat(personOf(anonymous.eventId())).isEqualTo("user-4-early-id");
    }

    @Test
    void emptyStringIdsCountAsAbsent() throws SQLException {
        var event = RawEvent.of("page").user("").anon("anon-5").account("").insertInto(db);
        db.runPipeline();

        assertThat(personOf(event.eventId())).isEqualTo("anon-5");
        assertThat(db.rows("SELECT account_id FROM warehouse.event_stream WHERE event_id = '" + event.eventId() + "'"))
                .containsExactly(java.util.Collections.singletonList(null));
    }

    @Test
    void stagingRefusesARowWhoseIdsAreAllEmpty() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RawEvent.of("page").user("").anon("").insertInto(db))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("raw_events_has_identity");
    }

    private static String personOf(UUID eventId) throws SQLException {
        return db.value("SELECT person FROM warehouse.event_stream WHERE event_id = '" + eventId + "'", String.class);
    }
}
