package dev.spectrum.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.spectrum.ingest.compat.NameUuid;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Segment, Amplitude and PostHog requests as their SDKs send them: mapped rows, errors in their shapes. */
@QuarkusTest
@WithTestResource(value = IngestDatabase.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class CompatibleApisTest {

    static String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    }

    static List<String> row(String eventId) throws SQLException {
        return IngestDatabase.db().rows("SELECT event_type, user_id, anonymous_id, account_id, occurred_at, properties::text,"
                + " context::text, source FROM staging.raw_events WHERE event_id = '" + eventId + "'").get(0);
    }

    @Test
    void segmentBatchMapsEveryCall() throws SQLException {
        given().header("Authorization", basic(IngestDatabase.MOBILE_KEY)).contentType("application/json").body("""
                {"batch": [
                  {"type": "track", "event": "Order Completed", "userId": "u-seg", "anonymousId": "a-seg",
                   "messageId": "seg-msg-1", "timestamp": "2026-11-20T10:00:00.123Z",
                   "properties": {"revenue": 42, "account_id": "acme"}, "context": {"ip": "192.0.2.9", "library": {"name": "x"}},
                   "integrations": {"All": true}},
                  {"type": "identify", "userId": "u-seg", "anonymousId": "a-seg", "messageId": "11111111-2222-4333-8444-555555555555",
                   "originalTimestamp": "2026-11-20T09:00:00Z", "traits": {"plan": "pro"}},
                  {"type": "group", "userId": "u-seg", "groupId": "acme", "messageId": "seg-msg-3", "traits": {"name": "Acme"}},
                  {"type": "alias", "userId": "u-seg", "previousId": "old-id", "messageId": "seg-msg-4"}
                ]}""").post("/v1/batch").then().statusCode(200).body("success", equalTo(true));

        assertThat(row(NameUuid.eventId("seg-msg-1"))).isEqualTo(List.of("Order Completed", "u-seg", "a-seg", "acme",
                "2026-11-20 10:00:00.123+00", "{\"revenue\": 42, \"account_id\": \"acme\"}", "{\"ip\": \"192.0.2.9\"}", "mobile"));
        assertThat(row("11111111-2222-4333-8444-555555555555")).isEqualTo(Arrays.asList("identify", "u-seg", "a-seg", null,
                "2026-11-20 09:00:00+00", "{\"plan\": \"pro\"}", "{}", "mobile"));
        assertThat(row(NameUuid.eventId("seg-msg-3")).subList(0, 4)).isEqualTo(Arrays.asList("group", "u-seg", null, "acme"));
        assertThat(row(NameUuid.eventId("seg-msg-4")).subList(0, 3)).isEqualTo(List.of("alias", "u-seg", "old-id"));
    }

    @Test
    void segmentRefusesABadKeyAndABadMessage() throws SQLException {
        long before = IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events");
        given().header("Authorization", basic("nope")).body("{\"type\": \"track\", \"event\": \"x\", \"userId\": \"u\"}")
                .post("/v1/track").then().statusCode(401).body("success", equalTo(false));
        given().header("Authorization", basic(IngestDatabase.WEB_KEY)).body("{\"event\": \"x\"}")
                .post("/v1/track").then().statusCode(400).body("success", equalTo(false))
                .body("errors[0].field", equalTo("user_id"));
        assertThat(IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events")).isEqualTo(before);
    }

    @Test
    void amplitudeMapsItsFieldsAndAnswersInItsShape() throws SQLException {
        given().body("""
                {"api_key": "%s", "events": [
                  {"event_type": "Song Played", "user_id": "u-amp", "device_id": "d-amp", "time": 1763632800000,
                   "insert_id": "amp-1", "event_properties": {"genre": "jazz"}, "user_properties": {"age": 30},
                   "groups": {"account": "beta"}, "ip": "198.51.100.4", "language": "en", "library": "amplitude-node"}
                ]}""".formatted(IngestDatabase.WEB_KEY))
                .post("/2/httpapi").then().statusCode(200).body("code", equalTo(200)).body("events_ingested", equalTo(1));
        assertThat(row(NameUuid.eventId("amp-1"))).isEqualTo(List.of("Song Played", "u-amp", "d-amp", "beta",
                "2025-11-20 10:00:00+00", "{\"genre\": \"jazz\", \"user_properties\": {\"age\": 30}}",
                "{\"ip\": \"198.51.100.4\", \"locale\": \"en\"}", "web"));
    }

    @Test
    void amplitudeErrorsAreAmplitudes() {
        given().body("{\"events\": []}").post("/2/httpapi").then().statusCode(400)
                .body("code", equalTo(400)).body("missing_field", equalTo("api_key"));
        given().body("{\"api_key\": \"nope\", \"events\": [{\"event_type\": \"x\", \"user_id\": \"u\"}]}").post("/2/httpapi")
                .then().statusCode(400).body("error", equalTo("Invalid API key"));
        given().body("{\"api_key\": \"" + IngestDatabase.WEB_KEY + "\", \"events\": [{\"event_type\": \"x\", \"user_id\": \"u\"},"
                        + " {\"user_id\": \"u\"}, {\"event_type\": \"y\"}]}").post("/2/httpapi")
                .then().statusCode(400).body("code", equalTo(400))
                .body("error", equalTo("Invalid field values on some events"))
                .body("events_with_missing_fields.event_type", equalTo(List.of(1)))
                .body("events_with_missing_fields.user_id", equalTo(List.of(2)));
    }

    @Test
    void postHogBatchMapsDistinctIdsGroupsAndDropsItsTransportFields() throws SQLException {
        given().body("""
                {"api_key": "%s", "batch": [
                  {"event": "$identify", "distinct_id": "u-ph", "uuid": "0195b7a0-0000-7000-8000-000000000001",
                   "timestamp": "2026-11-21T08:00:00Z",
                   "properties": {"$anon_distinct_id": "anon-ph", "$set": {"email": "x@example.com"}, "$lib": "posthog-node",
                                  "$lib_version": "5.0.0", "$groups": {"account": "gamma"}}}
                ]}""".formatted(IngestDatabase.WEB_KEY)).post("/batch/").then().statusCode(200).body("status", equalTo(1));
        assertThat(row("0195b7a0-0000-7000-8000-000000000001")).isEqualTo(List.of("$identify", "u-ph", "anon-ph", "gamma",
                "2026-11-21 08:00:00+00", "{\"$set\": {\"email\": \"x@example.com\"}}", "{}", "web"));
    }

    @Test
    void postHogErrorsArePostHogs() {
        given().body("{\"event\": \"x\", \"distinct_id\": \"u\"}").post("/capture/").then().statusCode(401)
                .body("code", equalTo("missing_api_key"));
        given().body("{\"api_key\": \"nope\", \"event\": \"x\", \"distinct_id\": \"u\"}").post("/capture/").then().statusCode(401)
                .body("type", equalTo("authentication_error")).body("code", equalTo("invalid_api_key"));
        given().body("{\"api_key\": \"" + IngestDatabase.WEB_KEY + "\", \"event\": \"x\"}").post("/capture/").then()
                .statusCode(400).body("type", equalTo("validation_error")).body("attr", equalTo("user_id"));
    }

    @Test
    void aNonUuidIdAlwaysGivesTheSameUuidVersion5() {
        String a = NameUuid.eventId("msg-123");
        assertThat(a).isEqualTo(NameUuid.eventId("msg-123")).isNotEqualTo(NameUuid.eventId("msg-124"));
        assertThat(java.util.UUID.fromString(a).version()).isEqualTo(5);
        assertThat(NameUuid.eventId("0195B7A0-0000-7000-8000-000000000001")).isEqualTo("0195B7A0-0000-7000-8000-000000000001");
    }
}
