package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Dimensions: stable surrogate keys, first/last seen, latest account, geography with '' for unknown. */
class DimensionsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    @Test
    void keysStayStableAndSeenTimesWidenWithLateEvents() throws SQLException {
        RawEvent.of("signup").user("dim-1").account("acct-x").at("2026-05-10T10:00:00Z").insertInto(db);
        RawEvent.of("page").anon("dim-anon-1").at("2026-05-10T11:00:00Z").insertInto(db);
        db.runPipeline();
        List<List<String>> keysBefore = db.rows("SELECT user_key, id_kind, distinct_id FROM warehouse.dim_users ORDER BY 1");
        List<List<String>> typesBefore = db.rows("SELECT event_type_key, event_type FROM warehouse.dim_event_types ORDER BY 1");

        // a late event (earlier than anything seen), a later one on another account, a new user
        RawEvent.of("page").user("dim-1").at("2026-05-01T09:00:00Z").insertInto(db);
        RawEvent.of("page").user("dim-1").account("acct-y").at("2026-05-12T09:00:00Z").insertInto(db);
        RawEvent.of("page").user("dim-2").at("2026-05-12T09:00:00Z").insertInto(db);
        db.runPipeline();

        assertThat(db.rows("SELECT user_key, id_kind, distinct_id FROM warehouse.dim_users ORDER BY 1"))
                .startsWith(keysBefore.toArray(List[]::new))
                .hasSize(keysBefore.size() + 1);
        assertThat(db.rows("SELECT event_type_key, event_type FROM warehouse.dim_event_types ORDER BY 1"))
                .isEqualTo(typesBefore);
        assertThat(db.rows("SELECT u.first_seen_at, u.last_seen_at, a.account_id FROM warehouse.dim_users u"
                + " LEFT JOIN warehouse.dim_accounts a USING (account_key) WHERE u.distinct_id = 'dim-1'"))
                .containsExactly(List.of("2026-05-01 09:00:00+00", "2026-05-12 09:00:00+00", "acct-y"));
        // an event without an account keeps the account seen before
        RawEvent.of("page").user("dim-1").at("2026-05-13T09:00:00Z").insertInto(db);
        db.runPipeline();
        assertThat(db.value("SELECT a.account_id FROM warehouse.dim_users u JOIN warehouse.dim_accounts a USING (account_key)"
                + " WHERE u.distinct_id = 'dim-1'", String.class)).isEqualTo("acct-y");
        assertThat(db.rows("SELECT account_id, first_seen_at, last_seen_at FROM warehouse.dim_accounts ORDER BY account_key"))
                .containsExactly(List.of("acct-x", "2026-05-10 10:00:00+00", "2026-05-10 10:00:00+00"),
                        List.of("acct-y", "2026-05-12 09:00:00+00", "2026-05-12 09:00:00+00"));
        // surrogate keys are dense: nothing was drawn for rows that already existed
        assertThat(db.count("SELECT max(user_key) - count(*) FROM warehouse.dim_users")).isZero();
    }

    @Test
    void geographyComesFromContextWithEmptyStringsForUnknown() throws SQLException {
        var full = RawEvent.of("geo").user("g").context("{\"country\": \"de\", \"region\": \"Bavaria\", \"city\": \"Munich\"}")
                .insertInto(db);
        var countryOnly = RawEvent.of("geo").user("g").context("{\"country\": \"FR\"}").insertInto(db);
        var none = RawEvent.of("geo").user("g").insertInto(db);
        var sameAsFull = RawEvent.of("geo").user("g").context("{\"country\": \"DE\", \"region\": \"Bavaria\", \"city\": \"Munich\"}")
                .insertInto(db);
        db.runPipeline();

        assertThat(geo(full)).isEqualTo(List.of("DE", "Bavaria", "Munich"));
        assertThat(geo(countryOnly)).isEqualTo(List.of("FR", "", ""));
        assertThat(geo(none)).isEqualTo(List.of("", "", ""));
        assertThat(db.count("SELECT count(DISTINCT geography_key) FROM warehouse.fact_events WHERE event_id IN ('"
                + full.eventId() + "', '" + sameAsFull.eventId() + "')")).isEqualTo(1);
    }

    private static List<String> geo(RawEvent event) throws SQLException {
        return db.rows("SELECT g.country_code, g.region, g.city FROM warehouse.fact_events f"
                + " JOIN warehouse.dim_geography g USING (geography_key) WHERE f.event_id = '" + event.eventId() + "'").get(0);
    }
}
