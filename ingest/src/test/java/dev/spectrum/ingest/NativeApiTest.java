package dev.spectrum.ingest;

import static dev.spectrum.ingest.Requests.event;
import static dev.spectrum.ingest.Requests.gzip;
import static dev.spectrum.ingest.Requests.rows;
import static dev.spectrum.ingest.Requests.send;
import static dev.spectrum.ingest.Requests.withKey;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every rule and error of the native API (ingest-api.md): status, body, and what the table holds. */
@QuarkusTest
@WithTestResource(value = IngestDatabase.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class NativeApiTest {

    private long rowsBefore;

    @BeforeEach
    void countRows() throws SQLException {
        rowsBefore = rows();
    }

    /** Most tests refuse the request: then nothing at all may have been written. */
    private void assertNothingWritten() throws SQLException {
        assertThat(rows()).isEqualTo(rowsBefore);
    }

    @AfterEach
    void noop() {
    }

    // --- accepted ---------------------------------------------------------------------------

    @Test
    void oneEventIsCommittedWithEveryColumnAsSent() throws SQLException {
        send("""
                {"type": "signup", "user_id": "u-1", "anonymous_id": "a-1", "account_id": "acme",
                 "event_id": "3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6f", "timestamp": "2026-11-20T11:15:30.250+01:00",
                 "properties": {"plan": "pro", "seats": 5, "price": 1.50, "tags": ["a", "b"], "nested": {"x": null}},
                 "context": {"ip": "192.0.2.1", "user_agent": "curl/8", "locale": "de-DE", "country": "de", "region": "BY", "city": "München"}}
                """)
                .statusCode(202).body("accepted", equalTo(1));

        assertThat(IngestDatabase.db().rows("SELECT event_id, event_type, user_id, anonymous_id, account_id,"
                + " occurred_at, properties::text, context::text, source, received_at > now() - interval '1 minute'"
                + " FROM staging.raw_events WHERE event_id = '3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6f'"))
                .containsExactly(List.of("3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6f", "signup", "u-1", "a-1", "acme",
                        "2026-11-20 10:15:30.25+00",
                        "{\"plan\": \"pro\", \"tags\": [\"a\", \"b\"], \"price\": 1.50, \"seats\": 5, \"nested\": {\"x\": null}}",
                        "{\"ip\": \"192.0.2.1\", \"city\": \"München\", \"locale\": \"de-DE\", \"region\": \"BY\", \"country\": \"de\", \"user_agent\": \"curl/8\"}",
                        "web", "t"));
    }

    @Test
    void anArrayAndAnEventsObjectAreBatches() throws SQLException {
        send("[" + event("") + ", " + event("\"anonymous_id\": \"a\"") + "]").statusCode(202).body("accepted", equalTo(2));
        send("{\"events\": [" + event("") + ", " + event("") + ", " + event("") + "]}").statusCode(202).body("accepted", equalTo(3));
        assertThat(rows()).isEqualTo(rowsBefore + 5);
    }

    @Test
    void defaultsFillWhatTheClientLeftOut() throws SQLException {
        send("{\"type\": \"ping\", \"anonymous_id\": \"dev-9\", \"user_id\": \"\"}").statusCode(202);
        // no event_id: one is made; no timestamp: arrival; empty user_id: absent; no properties/context: {}
        assertThat(IngestDatabase.db().rows("SELECT event_id IS NOT NULL, user_id, occurred_at = received_at,"
                + " properties::text, context::text, source FROM staging.raw_events WHERE anonymous_id = 'dev-9'"))
                .containsExactly(Arrays.asList("t", null, "t", "{}", "{}", "web"));
    }

    @Test
    void theSourceIsTheKeysNameNeverTheKey() throws SQLException {
        withKey(IngestDatabase.MOBILE_KEY).body(event("\"account_id\": \"src-test\"")).post("/v1/events").then().statusCode(202);
        assertThat(IngestDatabase.db().rows("SELECT source FROM staging.raw_events WHERE account_id = 'src-test'"))
                .containsExactly(List.of("mobile"));
        assertThat(IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events WHERE source LIKE 'wk_%'")).isZero();
    }

    @Test
    void gzipBodiesAreAccepted() throws SQLException {
        withKey(IngestDatabase.WEB_KEY).header("Content-Encoding", "gzip")
                .body(gzip(("[" + event("") + "," + event("") + "]").getBytes(StandardCharsets.UTF_8)))
                .post("/v1/events").then().statusCode(202).body("accepted", equalTo(2));
        assertThat(rows()).isEqualTo(rowsBefore + 2);
    }

    @Test
    void aRetryWithTheSameEventIdIsAcceptedAndCountsOnceAfterThePipeline() throws SQLException {
        String body = event("\"event_id\": \"aaaaaaaa-0000-4000-8000-000000000001\"");
        send(body).statusCode(202);
        send(body).statusCode(202);
        IngestDatabase.db().runPipeline();
        assertThat(IngestDatabase.db().count("SELECT count(*) FROM warehouse.fact_events"
                + " WHERE event_id = 'aaaaaaaa-0000-4000-8000-000000000001'")).isEqualTo(1);
    }

    // --- 401 ---------------------------------------------------------------------------------

    @Test
    void noKeyIs401() throws SQLException {
        given().contentType("application/json").body(event("")).post("/v1/events").then()
                .statusCode(401).body("error", equalTo("unauthorized"))
                .body("message", equalTo("send your write key as Authorization: Bearer <write key>"));
        assertNothingWritten();
    }

    @Test
    void anUnknownKeyIs401() throws SQLException {
        withKey("wk_not_ours").body(event("")).post("/v1/events").then()
                .statusCode(401).body("error", equalTo("unauthorized")).body("message", equalTo("unknown write key"));
        assertNothingWritten();
    }

    @Test
    void aKeyThatIsNotBearerIs401() throws SQLException {
        given().header("Authorization", "Basic " + IngestDatabase.WEB_KEY).contentType("application/json")
                .body(event("")).post("/v1/events").then().statusCode(401)
                .body("message", equalTo("the Authorization header must be Bearer <write key>"));
        assertNothingWritten();
    }

    @Test
    void theKeyIsCheckedBeforeTheSize() throws SQLException {
        given().contentType("application/json").body(new byte[2 * 1024 * 1024]).post("/v1/events").then()
                .statusCode(401).body("error", equalTo("unauthorized"));
        assertNothingWritten();
    }

    // --- 413 ---------------------------------------------------------------------------------

    @Test
    void moreThan1000EventsIs413() throws SQLException {
        String batch = "[" + String.join(",", java.util.Collections.nCopies(1001, "{\"type\":\"t\",\"user_id\":\"u\"}")) + "]";
        send(batch).statusCode(413).body("error", equalTo("payload_too_large"))
                .body("message", equalTo("the batch has 1001 events; send at most 1000 per request"));
        assertNothingWritten();
    }

    @Test
    void exactly1000EventsAreAccepted() throws SQLException {
        String batch = "[" + String.join(",", java.util.Collections.nCopies(1000, "{\"type\":\"t\",\"user_id\":\"u\"}")) + "]";
        send(batch).statusCode(202).body("accepted", equalTo(1000));
        assertThat(rows()).isEqualTo(rowsBefore + 1000);
    }

    @Test
    void aBodyOverOneMebibyteIs413() throws SQLException {
        String padding = "x".repeat(1024 * 1024);
        send(event("\"properties\": {\"p\": \"" + padding + "\"}")).statusCode(413)
                .body("error", equalTo("payload_too_large"))
                .body("message", containsString("larger than 1048576 bytes"));
        assertNothingWritten();
    }

    @Test
    void aGzipBombIs413AfterExpandingOnlyToTheLimit() throws SQLException {
        byte[] bomb = gzip(new byte[64 * 1024 * 1024]); // 64 MiB of zeros, about 64 KiB compressed
        assertThat(bomb.length).isLessThan(1024 * 1024);
        withKey(IngestDatabase.WEB_KEY).header("Content-Encoding", "gzip").body(bomb).post("/v1/events").then()
                .statusCode(413).body("error", equalTo("payload_too_large"))
                .body("message", containsString("expands to more than 1048576 bytes after gzip decompression"));
        assertNothingWritten();
    }

    @Test
    void theSizeIsCheckedBeforeTheMediaType() throws SQLException {
        withKey(IngestDatabase.WEB_KEY).contentType("text/plain").body("x".repeat(1024 * 1024 + 1)).post("/v1/events")
                .then().statusCode(413);
        assertNothingWritten();
    }

    // --- 415 ---------------------------------------------------------------------------------

    @Test
    void notJsonIs415() throws SQLException {
        withKey(IngestDatabase.WEB_KEY).contentType("text/plain").body(event("")).post("/v1/events").then()
                .statusCode(415).body("error", equalTo("unsupported_media_type"))
                .body("message", equalTo("send the events as Content-Type: application/json (the request had text/plain)"));
        assertNothingWritten();
    }

    @Test
    void jsonWithACharsetIsFine() {
        given().header("Authorization", "Bearer " + IngestDatabase.WEB_KEY)
                .contentType("application/json; charset=utf-8").body(event("")).post("/v1/events").then().statusCode(202);
    }

    // --- 400 malformed_json -------------------------------------------------------------------

    @Test
    void malformedJsonIs400WithWhere() throws SQLException {
        send("{\"type\": \"signup\", \"user_id\": ").statusCode(400)
                .body("error", equalTo("malformed_json"))
                .body("message", containsString("the body is not valid JSON"))
                .body("errors", nullValue());
        assertNothingWritten();
    }

    @Test
    void duplicateKeysAndTrailingGarbageAreMalformed() throws SQLException {
        send("{\"type\": \"a\", \"type\": \"b\", \"user_id\": \"u\"}").statusCode(400).body("error", equalTo("malformed_json"))
                .body("message", containsString("Duplicate field 'type'"));
        send(event("") + " {}").statusCode(400).body("error", equalTo("malformed_json"));
        assertNothingWritten();
    }

    @Test
    void brokenGzipIsMalformed() throws SQLException {
        withKey(IngestDatabase.WEB_KEY).header("Content-Encoding", "gzip").body(event("").getBytes(StandardCharsets.UTF_8))
                .post("/v1/events").then().statusCode(400).body("error", equalTo("malformed_json"))
                .body("message", equalTo("the body is marked Content-Encoding: gzip but is not valid gzip data"));
        assertNothingWritten();
    }

    // --- 400 invalid_events: one test per field rule -----------------------------------------

    private void assertInvalid(String body, int index, String field, String message) throws SQLException {
        send(body).statusCode(400)
                .body("error", equalTo("invalid_events"))
                .body("errors", hasSize(1))
                .body("errors[0].index", equalTo(index))
                .body("errors[0].field", equalTo(field))
                .body("errors[0].message", containsString(message));
        assertNothingWritten();
    }

    @Test
    void typeIsRequired() throws SQLException {
        assertInvalid("{\"user_id\": \"u\"}", 0, "type", "is required");
    }

    @Test
    void typeMustNotBeEmpty() throws SQLException {
        assertInvalid("{\"type\": \"\", \"user_id\": \"u\"}", 0, "type", "must not be empty");
    }

    @Test
    void typeMustBeAString() throws SQLException {
        assertInvalid("{\"type\": 42, \"user_id\": \"u\"}", 0, "type", "must be a string, got a number");
    }

    @Test
    void typeIsAtMost200CodePoints() throws SQLException {
        String emoji200 = "😀".repeat(200); // 200 code points, 400 UTF-16 units: fine
        send("{\"type\": \"" + emoji200 + "\", \"user_id\": \"u\"}").statusCode(202);
        rowsBefore++;
        assertInvalid("{\"type\": \"" + emoji200 + "x\", \"user_id\": \"u\"}", 0, "type",
                "is longer than 200 characters (201)");
    }

    @Test
    void idsAreAtMost200Characters() throws SQLException {
        assertInvalid(event("\"account_id\": \"" + "a".repeat(201) + "\""), 0, "account_id", "is longer than 200 characters");
        assertInvalid("{\"type\": \"t\", \"anonymous_id\": \"" + "a".repeat(201) + "\"}", 0, "anonymous_id", "is longer than 200");
    }

    @Test
    void aUserIdOrAnAnonymousIdIsRequired() throws SQLException {
        assertInvalid("{\"type\": \"t\", \"user_id\": \"\", \"anonymous_id\": null}", 0, "user_id",
                "an event needs a user_id or an anonymous_id (or both)");
    }

    @Test
    void eventIdMustBeAUuid() throws SQLException {
        assertInvalid(event("\"event_id\": \"1-1-1-1-1\""), 0, "event_id", "must be a UUID");
    }

    @Test
    void timestampNeedsAnOffset() throws SQLException {
        assertInvalid(event("\"timestamp\": \"2026-11-20T10:00:00\""), 0, "timestamp", "must be an RFC 3339 time with an offset");
    }

    @Test
    void timestampMayNotBeMoreThan24HoursAhead() throws SQLException {
        String in23h = OffsetDateTime.now(ZoneOffset.UTC).plusHours(23).truncatedTo(ChronoUnit.SECONDS).toString();
        send(event("\"timestamp\": \"" + in23h + "\"")).statusCode(202);
        rowsBefore++;
        String in25h = OffsetDateTime.now(ZoneOffset.UTC).plusHours(25).truncatedTo(ChronoUnit.SECONDS).toString();
        assertInvalid(event("\"timestamp\": \"" + in25h + "\""), 0, "timestamp", "is more than 24 hours in the future");
    }

    @Test
    void anImpossibleDateIsInvalid() throws SQLException {
        assertInvalid(event("\"timestamp\": \"2026-02-30T10:00:00Z\""), 0, "timestamp", "is not a valid date and time");
    }

    @Test
    void propertiesMustBeAnObject() throws SQLException {
        assertInvalid(event("\"properties\": [1, 2]"), 0, "properties", "must be a JSON object, got an array");
    }

    @Test
    void propertiesAreAtMost32KiB() throws SQLException {
        // {"p":"…"} is 8 bytes + the value: 32760 x's make exactly 32768 bytes, one more is too many
        send(event("\"properties\": {\"p\": \"" + "x".repeat(32760) + "\"}")).statusCode(202);
        rowsBefore++;
        assertInvalid(event("\"properties\": {\"p\": \"" + "x".repeat(32761) + "\"}"), 0, "properties",
                "is larger than 32 KiB as compact JSON (32769 bytes)");
    }

    @Test
    void unknownTopLevelFieldsAreInvalid() throws SQLException {
        assertInvalid(event("\"userId\": \"u\""), 0, "userId", "unknown field");
    }

    @Test
    void contextHasOnlyItsFields() throws SQLException {
        assertInvalid(event("\"context\": {\"os\": \"linux\"}"), 0, "context.os", "unknown field");
    }

    @Test
    void contextCountryIsAnIsoCode() throws SQLException {
        assertInvalid(event("\"context\": {\"country\": \"Germany\"}"), 0, "context.country",
                "must be an ISO 3166-1 alpha-2 country code");
    }

    @Test
    void anEmptyBatchIsInvalid() throws SQLException {
        send("[]").statusCode(400).body("error", equalTo("invalid_events"))
                .body("message", equalTo("the batch is empty: send at least one event"));
        assertNothingWritten();
    }

    @Test
    void oneBadEventRefusesTheWholeBatchAndEachErrorNamesItsIndexAndField() throws SQLException {
        send("[" + event("") + ", " + event("") + ", {\"type\": \"\", \"user_id\": \"u\", \"extra\": 1}, "
                + event("\"event_id\": \"nope\"") + "]")
                .statusCode(400)
                .body("error", equalTo("invalid_events"))
                .body("message", equalTo("2 of 4 events are invalid; nothing was written"))
                .body("errors.index", equalTo(List.of(2, 2, 3)))
                .body("errors.field", equalTo(List.of("extra", "type", "event_id")));
        assertNothingWritten();
    }
}
