package dev.spectrum.ingest;

import static dev.spectrum.ingest.Requests.rows;
import static dev.spectrum.ingest.Requests.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.spectrum.sql.testing.Json;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Hostile text in every field comes back exactly from the table, or is refused with a clear 400. */
@QuarkusTest
@WithTestResource(value = IngestDatabase.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class HostileInputTest {

    static final List<String> HOSTILE = List.of(
            "'; DROP TABLE staging.raw_events; --",
            "\"quoted\" \\backslash\\ \\N \\t tab\there",
            "$$; SELECT pg_sleep(10); $$",
            "line\nbreak\r\nwindows",
            "ünïcødé — 日本語 — 😀🚀 𝔘𝔫𝔦",
            "%s %n ${jndi:ldap://x} {{7*7}}",
            "\\.", // COPY's end-of-data marker in text format
            "x".repeat(200));

    @Test
    void hostileTextInEveryFieldComesBackExactly() throws SQLException {
        for (String s : HOSTILE) {
            String j = Json.string(s);
            String id = UUID.randomUUID().toString();
            send("{\"type\": " + j + ", \"user_id\": " + j + ", \"anonymous_id\": " + j + ", \"account_id\": " + j
                    + ", \"event_id\": \"" + id + "\", \"properties\": {" + j + ": " + j + ", \"list\": [" + j + "]},"
                    + " \"context\": {\"city\": " + j + ", \"region\": " + j + ", \"user_agent\": " + j + "}}")
                    .statusCode(202);
            try (var c = IngestDatabase.db().connect(); var q = c.prepareStatement(
                    "SELECT event_type, user_id, anonymous_id, account_id, properties ->> ?, properties -> 'list' ->> 0,"
                            + " context ->> 'city', context ->> 'region', context ->> 'user_agent'"
                            + " FROM staging.raw_events WHERE event_id = ?::uuid")) {
                q.setString(1, s);
                q.setString(2, id);
                try (var rs = q.executeQuery()) {
                    assertThat(rs.next()).as("row for %s", s).isTrue();
                    for (int column = 1; column <= 9; column++) {
                        assertThat(rs.getString(column)).as("column %d for %s", column, s).isEqualTo(s);
                    }
                }
            }
        }
        assertThat(IngestDatabase.db().count("SELECT count(*) FROM pg_tables WHERE schemaname = 'staging'")).isEqualTo(1);
    }

    @Test
    void aNulByteIsRefusedWithTheReason() throws SQLException {
        long before = rows();
        send("{\"type\": \"a\\u0000b\", \"user_id\": \"u\"}").statusCode(400)
                .body("error", equalTo("invalid_events"))
                .body("errors[0].field", equalTo("type"))
                .body("errors[0].message", containsString("NUL character (\\u0000), which PostgreSQL text cannot store"));
        send("{\"type\": \"t\", \"user_id\": \"u\", \"properties\": {\"deep\": {\"k\": [\"ok\", \"a\\u0000\"]}}}")
                .statusCode(400).body("errors[0].field", equalTo("properties.deep.k.1"));
        send("{\"type\": \"t\", \"user_id\": \"u\", \"properties\": {\"k\\u0000\": 1}}")
                .statusCode(400).body("errors[0].field", equalTo("properties"))
                .body("errors[0].message", containsString("has a key that contains a NUL character"));
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    void anUnpairedSurrogateIsRefused() throws SQLException {
        long before = rows();
        send("{\"type\": \"t\", \"user_id\": \"\\ud800x\"}").statusCode(400)
                .body("errors[0].field", equalTo("user_id"))
                .body("errors[0].message", containsString("unpaired UTF-16 surrogate"));
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    void aNumberPostgresqlCannotHoldIsRefusedNotAFailedWrite() throws SQLException {
        long before = rows();
        // each of these once answered 503 for ever: accepted, then refused by PostgreSQL in the COPY
        for (String number : List.of("1e999999", "1e2147483647", "0e-20000")) {
            send("{\"type\": \"t\", \"user_id\": \"u\", \"properties\": {\"n\": " + number + "}}").statusCode(400)
                    .body("errors[0].field", equalTo("properties.n"))
                    .body("errors[0].message", equalTo("is a number outside what PostgreSQL can store"));
        }
        send("{\"type\": \"t\", \"user_id\": \"u\", \"timestamp\": \"2026-11-26T10:00:00+16:00\"}").statusCode(400)
                .body("errors[0].field", equalTo("timestamp"))
                .body("errors[0].message", equalTo("has the UTC offset +16:00; PostgreSQL takes offsets up to \u00b115:59"));
        assertThat(rows()).isEqualTo(before);
    }

    @Test
    void timesArriveAsSentWithTheirOffsetsAndFractions() throws SQLException {
        // sent text -> what PostgreSQL must hold (fractions rounded to microseconds)
        var times = List.of(
                List.of("2026-11-26T10:00:00.1234564+15:59", "2026-11-26 10:00:00.123456+15:59"),
                List.of("2026-11-26t10:00:00.5-15:59", "2026-11-26 10:00:00.5-15:59"),
                List.of("2026-11-26 10:00:00Z", "2026-11-26 10:00:00+00"),
                List.of("2026-11-26T00:00:00.000001+05:30", "2026-11-26 00:00:00.000001+05:30"));
        for (List<String> time : times) {
            String id = UUID.randomUUID().toString();
            send("{\"type\": \"t\", \"user_id\": \"u\", \"event_id\": \"" + id + "\", \"timestamp\": \"" + time.get(0) + "\"}")
                    .statusCode(202);
            assertThat(IngestDatabase.db().rows("SELECT occurred_at = '" + time.get(1) + "'::timestamptz"
                    + " FROM staging.raw_events WHERE event_id = '" + id + "'")).as(time.get(0)).containsExactly(List.of("t"));
        }
    }

    @Test
    void exactNumbersKeepTheirDigits() throws SQLException {
        String id = UUID.randomUUID().toString();
        send("{\"type\": \"t\", \"user_id\": \"u\", \"event_id\": \"" + id + "\","
                + " \"properties\": {\"a\": 1.50, \"b\": 12345678901234567890123, \"c\": 0.1}}").statusCode(202);
        assertThat(IngestDatabase.db().rows("SELECT properties ->> 'a', properties ->> 'b', properties ->> 'c'"
                + " FROM staging.raw_events WHERE event_id = '" + id + "'"))
                .containsExactly(List.of("1.50", "12345678901234567890123", "0.1"));
    }
}
