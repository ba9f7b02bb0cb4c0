package dev.spectrum.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The native API's field rules for one event (ingest-api.md), with a fixed clock: no PostgreSQL,
 * no server. The HTTP tests (NativeApiTest, HostileInputTest) check the same rules end to end.
 */
class EventValidatorTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final ObjectMapper JSON = JsonMapper.strict();
    private final EventValidator validator = new EventValidator(JSON, Clock.fixed(NOW, ZoneOffset.UTC));

    private final List<ApiError.FieldError> errors = new ArrayList<>();

    private IncomingEvent validate(int index, String json) throws Exception {
        JsonNode node = JSON.readTree(json);
        return validator.validate(index, node, errors);
    }

    private List<String> problems() {
        return errors.stream().map(e -> e.index() + " " + e.field() + ": " + e.message()).toList();
    }

    @Test
    void aCompleteEventIsReadExactly() throws Exception {
        IncomingEvent event = validate(0, """
                {"type": "purchase", "user_id": "u-1", "anonymous_id": "", "account_id": "acme",
                 "event_id": "3F2B8C1E-6A0D-4C8E-9D4F-1B2A3C4D5E6F", "timestamp": "2026-11-26 11:15:30.250+01:00",
                 "properties": {"revenue": 1.50, "items": [1, "two"], "note": "caf\u00e9 \u2603"},
                 "context": {"country": "de", "city": null, "ip": "203.0.113.9"}}
                """);
        assertThat(errors).isEmpty();
        assertThat(event.eventId()).isEqualTo(UUID.fromString("3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6f"));
        assertThat(event.type()).isEqualTo("purchase");
        assertThat(event.userId()).isEqualTo("u-1");
        assertThat(event.anonymousId()).as("an empty id is an absent one").isNull();
        assertThat(event.accountId()).isEqualTo("acme");
        assertThat(event.occurredAt()).isEqualTo(OffsetDateTime.parse("2026-11-26T11:15:30.250+01:00"));
        assertThat(event.propertiesJson()).isEqualTo("{\"revenue\":1.50,\"items\":[1,\"two\"],\"note\":\"caf\u00e9 \u2603\"}");
        assertThat(event.contextJson()).as("null context fields are dropped").isEqualTo("{\"country\":\"de\",\"ip\":\"203.0.113.9\"}");
    }

    @Test
    void theDefaultsOfAMinimalEvent() throws Exception {
        IncomingEvent a = validate(0, "{\"type\": \"signup\", \"anonymous_id\": \"device-7\"}");
        IncomingEvent b = validate(1, "{\"type\": \"signup\", \"anonymous_id\": \"device-7\"}");
        assertThat(errors).isEmpty();
        assertThat(a.occurredAt()).as("no timestamp: the time of arrival, set later").isNull();
        assertThat(a.propertiesJson()).isEqualTo("{}");
        assertThat(a.contextJson()).isEqualTo("{}");
        assertThat(a.eventId()).as("a new id for each event without one").isNotNull().isNotEqualTo(b.eventId());
    }

    @Test
    void aTimestampMayBeUpTo24HoursAheadOfTheClockAndNoMore() throws Exception {
        assertThat(validate(0, "{\"type\": \"t\", \"user_id\": \"u\", \"timestamp\": \"2026-11-27T10:00:00Z\"}")).isNotNull();
        assertThat(validate(1, "{\"type\": \"t\", \"user_id\": \"u\", \"timestamp\": \"2026-11-27T11:59:59+02:00\"}")).isNotNull();
        assertThat(errors).isEmpty();
        assertThat(validate(2, "{\"type\": \"t\", \"user_id\": \"u\", \"timestamp\": \"2026-11-27T10:00:00.001Z\"}")).isNull();
        assertThat(validate(3, "{\"type\": \"t\", \"user_id\": \"u\", \"timestamp\": \"1999-01-01T00:00:00Z\"}")).isNotNull();
        assertThat(problems()).containsExactly(
                "2 timestamp: is more than 24 hours in the future; check the sending device's clock");
    }

    @Test
    void everyBrokenRuleIsReportedAtOnceWithItsField() throws Exception {
        IncomingEvent event = validate(4, """
                {"type": "", "user_id": 7, "event_id": "not-a-uuid", "timestamp": "2026-11-26T10:00:00",
                 "properties": [1], "context": {"country": "XX", "os": "linux"}, "colour": "red"}
                """);
        assertThat(event).isNull();
        assertThat(problems()).containsExactlyInAnyOrder(
                "4 colour: unknown field; an event has only type, user_id, anonymous_id, account_id, event_id, timestamp, properties and context",
                "4 type: must not be empty",
                "4 user_id: must be a string, got a number",
                "4 event_id: must be a UUID such as 3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6f",
                "4 timestamp: must be an RFC 3339 time with an offset, such as 2026-11-26T10:15:30Z or 2026-11-26T11:15:30.250+01:00",
                "4 properties: must be a JSON object, got an array",
                "4 context.country: must be an ISO 3166-1 alpha-2 country code such as DE or US",
                "4 context.os: unknown field; context has only ip, user_agent, locale, country, region and city");
    }

    @Test
    void anEventNeedsATypeAndSomeoneWhoDidIt() throws Exception {
        assertThat(validate(0, "{\"user_id\": \"\", \"anonymous_id\": null}")).isNull();
        assertThat(validate(1, "[]")).isNull();
        assertThat(problems()).containsExactly(
                "0 type: is required: the event's name, for example \"signup\"",
                "0 user_id: an event needs a user_id or an anonymous_id (or both)",
                "1 event: must be a JSON object, got an array");
    }

    @Test
    void textPostgreSqlCannotStoreAndOversizedValuesAreRefused() throws Exception {
        String longId = "x".repeat(201);
        String big = "a".repeat(EventValidator.MAX_PROPERTIES_BYTES);
        validate(0, "{\"type\": \"a\\u0000b\", \"user_id\": \"" + longId + "\"}");
        validate(1, "{\"type\": \"t\", \"user_id\": \"u\", \"properties\": {\"k\": \"\\ud800\", \"n\": 1e200000}}");
        validate(2, "{\"type\": \"t\", \"user_id\": \"u\", \"properties\": {\"big\": \"" + big + "\"}}");
        validate(3, "{\"type\": \"t\", \"user_id\": \"u\", \"timestamp\": \"2026-02-30T10:00:00Z\"}");
        assertThat(problems()).containsExactly(
                "0 type: contains a NUL character (\\u0000), which PostgreSQL text cannot store; remove it",
                "0 user_id: is longer than 200 characters (201)",
                "1 properties.k: contains an unpaired UTF-16 surrogate (not valid Unicode); send valid UTF-8",
                "1 properties.n: is a number outside what PostgreSQL can store",
                "2 properties: is larger than 32 KiB as compact JSON (" + (big.length() + 10) + " bytes)",
                "3 timestamp: is not a valid date and time: 2026-02-30T10:00:00Z");
    }
}
