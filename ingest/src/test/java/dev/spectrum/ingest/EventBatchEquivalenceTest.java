package dev.spectrum.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The streaming fast path ({@link StreamingEvents}) against the tree-based rules
 * ({@link EventBatch#parseTree}), pure: for every body, {@link EventBatch#parse} must give what
 * the tree gives (the same events, byte for byte, or the same refusal), and the fast path must
 * read every valid batch itself (it gives up on the rest).
 */
class EventBatchEquivalenceTest {

    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final ObjectMapper JSON = JsonMapper.strict();
    private static final EventValidator VALIDATOR = new EventValidator(JSON, Clock.fixed(NOW, ZoneOffset.UTC));

    private static final String OK = "\"type\":\"t\",\"user_id\":\"u\",\"event_id\":\"3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6f\"";

    /** Bodies written by hand: each rule's edge, valid and broken. */
    private static final List<String> CORPUS = List.of(
            "{" + OK + "}",
            "[{" + OK + "}]",
            "{\"events\":[{" + OK + "}]}",
            "{\"events\":[{" + OK + "}],\"type\":\"x\"}",
            "{\"type\":\"t\",\"events\":[]}",
            "{\"events\":{}}",
            "{\"events\":[]}",
            "[]",
            "{}",
            "",
            "   ",
            "null",
            "42",
            "\"text\"",
            "[{" + OK + "},3]",
            "[{" + OK + "}] trailing",
            "[{" + OK + "}] []",
            "{" + OK + "} {" + OK + "}",
            "{\"events\":[{" + OK + "}]} {}",
            "{\"\\u0065vents\":[{" + OK + "}]}",
            "{\"\\u0074ype\":\"t\",\"user_id\":\"u\"}",
            "[{" + OK + "},]",
            "{" + OK + ",\"type\":\"again\"}",
            "{" + OK + ",\"unknown\":1}",
            "{" + OK + ",\"unknown\":null}",
            "{\"type\":null,\"user_id\":\"u\"}",
            "{\"type\":\"\",\"user_id\":\"u\"}",
            "{\"type\":7,\"user_id\":\"u\"}",
            "{\"type\":\"t\"}",
            "{\"type\":\"t\",\"user_id\":\"\",\"anonymous_id\":\"\"}",
            "{\"type\":\"t\",\"user_id\":null,\"anonymous_id\":\"a\",\"account_id\":\"\"}",
            "{\"type\":\"t\",\"anonymous_id\":\"a\",\"user_id\":[\"u\"]}",
            "{\"type\":\"t\",\"user_id\":\"" + "x".repeat(200) + "\"}",
            "{\"type\":\"t\",\"user_id\":\"" + "x".repeat(201) + "\"}",
            "{\"type\":\"t\",\"user_id\":\"" + "\\ud83d\\ude00".repeat(200) + "\"}",
            "{\"type\":\"t\",\"user_id\":\"" + "\\ud83d\\ude00".repeat(201) + "\"}",
            "{\"type\":\"t\",\"user_id\":\"nul\\u0000\"}",
            "{\"type\":\"t\",\"user_id\":\"half \\ud83d\"}",
            "{\"type\":\"t\",\"user_id\":\"u\",\"event_id\":\"not-a-uuid\"}",
            "{\"type\":\"t\",\"user_id\":\"u\",\"event_id\":\"3F2B8C1E-6A0D-4C8E-9D4F-1B2A3C4D5E6F\"}",
            "{\"type\":\"t\",\"user_id\":\"u\",\"event_id\":null}",
            "{" + OK + ",\"timestamp\":\"2026-11-26T11:15:30.250+01:00\"}",
            "{" + OK + ",\"timestamp\":\"2026-11-26 11:15:30z\"}",
            "{" + OK + ",\"timestamp\":\"2026-11-27T10:00:00Z\"}",
            "{" + OK + ",\"timestamp\":\"2026-11-27T10:00:00.001Z\"}",
            "{" + OK + ",\"timestamp\":\"2026-13-01T00:00:00Z\"}",
            "{" + OK + ",\"timestamp\":\"0000-01-01T00:00:00Z\"}",
            "{" + OK + ",\"timestamp\":\"2026-11-26T10:00:00+15:59\"}",
            "{" + OK + ",\"timestamp\":\"2026-11-26T10:00:00-16:00\"}",
            "{" + OK + ",\"timestamp\":\"yesterday\"}",
            "{" + OK + ",\"timestamp\":1700000000}",
            "{" + OK + ",\"properties\":{}}",
            "{" + OK + ",\"properties\":null}",
            "{" + OK + ",\"properties\":[]}",
            "{" + OK + ",\"properties\":\"{}\"}",
            "{" + OK + ",\"properties\":{\"revenue\":1.50,\"n\":-0,\"f\":-0.0,\"e\":1e2,\"E\":2.5E-3,\"big\":123456789012345678901234567890}}",
            "{" + OK + ",\"properties\":{\"i\":2147483647,\"j\":2147483648,\"l\":9223372036854775807,\"m\":9223372036854775808}}",
            "{" + OK + ",\"properties\":{\"huge\":1e999999}}",
            "{" + OK + ",\"properties\":{\"tiny\":1e-999999}}",
            "{" + OK + ",\"properties\":{\"zero\":0e999999}}",
            "{" + OK + ",\"properties\":{\"zero\":0e-16383}}",
            "{" + OK + ",\"properties\":{\"zero\":0e-16384}}",
            "{" + OK + ",\"properties\":{\"n\":1e2147483647}}",
            "{" + OK + ",\"properties\":{\"n\":12e2147483646}}",
            "{" + OK + ",\"properties\":{\"n\":1e131071,\"m\":1e-16383}}",
            "{" + OK + ",\"properties\":{\"n\":1e131072}}",
            "{" + OK + ",\"properties\":{\"n\":1e-16384}}",
            "{" + OK + ",\"properties\":{\"nested\":{\"a\":[1,{\"b\":null},[true,false]],\"c\":\"caf\\u00e9 \\u2603 \\ud83d\\ude00\"}}}",
            "{" + OK + ",\"properties\":{\"bf\\b\\f\\u001f\":\"\\b\\f\\u001F\\u001e\u00ff\",\"esc\":\"tab\\tnl\\ncr\\rbs\\\\q\\\"sl\\/ctl\\u0001del\\u007f\"}}",
            "{" + OK + ",\"properties\":{\"k\\u0000\":1}}",
            "{" + OK + ",\"properties\":{\"deep\":{\"v\":\"\\u0000\"}}}",
            "{" + OK + ",\"properties\":{\"a\":1,\"a\":2}}",
            "{" + OK + ",\"properties\":{\"big\":\"" + "x".repeat(32 * 1024) + "\"}}",
            "{" + OK + ",\"properties\":{\"big\":\"" + "x".repeat(32 * 1024 - 10) + "\"}}",
            "{" + OK + ",\"properties\":{\"big\":\"" + "\\u00e9".repeat(16 * 1024 - 6) + "\"}}",
            "{" + OK + ",\"properties\":{\"big\":\"" + "\\u00e9".repeat(16 * 1024 - 4) + "\"}}",
            "{" + OK + ",\"properties\":" + "{\"d\":".repeat(70) + "1" + "}".repeat(70) + "}",
            "{" + OK + ",\"properties\":{\"n\":NaN}}",
            "{" + OK + ",\"properties\":{\"n\":1" + "0".repeat(1001) + "}}",
            "{" + OK + ",\"context\":{}}",
            "{" + OK + ",\"context\":null}",
            "{" + OK + ",\"context\":{\"country\":\"de\",\"city\":null,\"ip\":\"203.0.113.9\",\"locale\":\"en-US\",\"region\":\"BE\",\"user_agent\":\"x\"}}",
            "{" + OK + ",\"context\":{\"country\":\"XX\"}}",
            "{" + OK + ",\"context\":{\"country\":\"gb\",\"city\":7}}",
            "{" + OK + ",\"context\":{\"browser\":\"x\"}}",
            "{" + OK + ",\"context\":{\"city\":\"\\u0000\"}}",
            "{" + OK + ",\"context\":{\"city\":\"a\",\"city\":\"b\"}}",
            "{" + OK + ",\"context\":[]}",
            "[{" + OK + "},{\"type\":\"t\"},{" + OK + ",\"x\":1}]",
            "[{\"type\":\"a\",\"anonymous_id\":\"d\"},{\"type\":\"b\",\"user_id\":\"u\",\"account_id\":\"acme\"}]");

    @Test
    void everyBodyOfTheCorpusGetsWhatTheTreeGives() {
        int fast = 0;
        for (String body : CORPUS) {
            if (sameAnswer(body)) {
                fast++;
            }
        }
        assertThat(fast).as("valid bodies, all read by the fast path").isEqualTo(29);
    }

    @Test
    void aThousandAndOneRequestsAreOneTooMany() {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 1001; i++) {
            body.append(i == 0 ? "" : ",").append("{").append(OK).append("}");
        }
        String thousandAndOne = body.append("]").toString();
        String thousand = thousandAndOne.substring(0, thousandAndOne.length() - OK.length() - 4) + "]";
        assertThat(sameAnswer(thousand)).isTrue();
        assertThat(sameAnswer(thousandAndOne)).isFalse();
    }

    @Test
    void randomBatchesGetWhatTheTreeGives() {
        Random random = new Random(20261204);
        int fast = 0;
        int runs = 3000;
        for (int run = 0; run < runs; run++) {
            StringBuilder array = new StringBuilder("[");
            int events = 1 + random.nextInt(4);
            for (int i = 0; i < events; i++) {
                array.append(i == 0 ? "" : ",").append(randomEvent(random));
            }
            String batch = array.append("]").toString();
            // the three shapes of a body: an array, {"events": [...]}, one event object
            String body = switch (random.nextInt(3)) {
                case 0 -> batch;
                case 1 -> "{\"events\":" + batch + "}";
                default -> randomEvent(random);
            };
            if (sameAnswer(body)) {
                fast++;
            }
        }
        // both paths are exercised: about a fifth of these batches are valid
        assertThat(fast).isBetween(runs / 10, runs * 9 / 10);
    }

    /** Asserts parse equals parseTree for the body, and that the fast path reads it when valid; true when valid. */
    private static boolean sameAnswer(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        List<IncomingEvent> fast = new StreamingEvents(JSON.getFactory(), VALIDATOR).read(bytes);
        ApiException treeError = catchThrowableOfType(ApiException.class, () -> EventBatch.parseTree(bytes, JSON, VALIDATOR));
        if (treeError != null) {
            assertThat(fast).as("the fast path must give up on %s", abbreviated(body)).isNull();
            ApiException error = catchThrowableOfType(ApiException.class, () -> EventBatch.parse(bytes, JSON, VALIDATOR));
            assertThat(error).as(abbreviated(body)).isNotNull();
            assertThat(error.status()).isEqualTo(treeError.status());
            assertThat(error.body()).isEqualTo(treeError.body());
            return false;
        }
        List<IncomingEvent> tree = EventBatch.parseTree(bytes, JSON, VALIDATOR);
        List<IncomingEvent> parsed = EventBatch.parse(bytes, JSON, VALIDATOR);
        assertThat(withoutMadeIds(parsed, body)).as(abbreviated(body)).isEqualTo(withoutMadeIds(tree, body));
        assertThat(fast).as("the fast path must read the valid %s", abbreviated(body)).isNotNull();
        return true;
    }

    /** Event ids the server made (random) blanked, so that the rest can be compared. */
    private static List<IncomingEvent> withoutMadeIds(List<IncomingEvent> events, String body) {
        List<IncomingEvent> out = new ArrayList<>();
        for (IncomingEvent e : events) {
            boolean sent = body.toLowerCase().contains(e.eventId().toString());
            out.add(new IncomingEvent(sent ? e.eventId() : new UUID(0, 0), e.type(), e.accountId(), e.userId(),
                    e.anonymousId(), e.occurredAt(), e.propertiesJson(), e.contextJson()));
        }
        return out;
    }

    private static String abbreviated(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }

    private static final String[] STRINGS = {"\"a\"", "\"\"", "\"caf\\u00e9\"", "\"\\ud83d\\ude00\"", "\"nul\\u0000\"",
        "\"\\udc00\"", "\"tab\\there\"", "\"back\\\\slash\"", "null", "7", "true", "[]", "{}"};
    private static final String[] NUMBERS = {"0", "-0", "1.50", "-0.0", "1e2", "1E+400", "1e-400", "1e999999", "2147483648",
        "9223372036854775808", "3.14159265358979323846264338327950288", "0.1", "1E3"};
    private static final String[] TIMES = {"\"2026-11-26T09:00:00Z\"", "\"2026-11-26T09:00:00.123456789+05:30\"",
        "\"2026-11-28T00:00:00Z\"", "\"2026-11-26\"", "null", "1", "\"2026-11-26t09:00:00.5z\"", "\"2026-11-26 09:00:00-15:59\"",
        "\"2026-11-26T09:00:00+16:00\"", "\"2026-11-26T09:00:00.1234567890Z\""};
    private static final String[] CONTEXT_KEYS = {"ip", "user_agent", "locale", "country", "region", "city", "os"};
    private static final String[] COUNTRIES = {"\"DE\"", "\"us\"", "\"ZZ\"", "\"\"", "null", "1"};

    private static String randomEvent(Random r) {
        List<String> fields = new ArrayList<>();
        if (r.nextInt(20) > 0) {
            fields.add("\"type\":" + (r.nextInt(10) > 0 ? "\"event_" + r.nextInt(30) + "\"" : pick(r, STRINGS)));
        }
        if (r.nextInt(5) > 0) {
            fields.add("\"user_id\":" + (r.nextInt(6) > 0 ? "\"user-" + r.nextInt(1000) + "\"" : pick(r, STRINGS)));
        }
        if (r.nextInt(3) == 0) {
            fields.add("\"anonymous_id\":" + (r.nextInt(6) > 0 ? "\"device-" + r.nextInt(1000) + "\"" : pick(r, STRINGS)));
        }
        if (r.nextInt(3) == 0) {
            fields.add("\"account_id\":" + (r.nextInt(6) > 0 ? "\"acct-" + r.nextInt(10) + "\"" : pick(r, STRINGS)));
        }
        if (r.nextInt(2) == 0) {
            fields.add("\"event_id\":" + (r.nextInt(10) > 0 ? "\"" + new UUID(r.nextLong(), r.nextLong()) + "\"" : pick(r, STRINGS)));
        }
        if (r.nextInt(2) == 0) {
            fields.add("\"timestamp\":" + (r.nextInt(3) > 0 ? "\"2026-11-2" + r.nextInt(6) + "T10:00:00Z\"" : pick(r, TIMES)));
        }
        if (r.nextInt(3) > 0) {
            fields.add("\"properties\":" + (r.nextInt(15) > 0 ? randomObject(r, 0) : pick(r, STRINGS)));
        }
        if (r.nextInt(2) == 0) {
            StringBuilder context = new StringBuilder("{");
            int n = r.nextInt(4);
            List<String> used = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String key = CONTEXT_KEYS[r.nextInt(r.nextInt(8) > 0 ? CONTEXT_KEYS.length - 1 : CONTEXT_KEYS.length)];
                if (used.contains(key)) {
                    continue;
                }
                used.add(key);
                context.append(used.size() == 1 ? "" : ",").append('"').append(key).append("\":")
                        .append(key.equals("country") ? pick(r, COUNTRIES) : r.nextInt(8) > 0 ? "\"v" + r.nextInt(9) + "\"" : pick(r, STRINGS));
            }
            fields.add("\"context\":" + context.append('}'));
        }
        if (r.nextInt(25) == 0) {
            fields.add("\"extra\":1");
        }
        java.util.Collections.shuffle(fields, r);
        return "{" + String.join(",", fields) + "}";
    }

    private static String randomObject(Random r, int depth) {
        StringBuilder o = new StringBuilder("{");
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            o.append(i == 0 ? "" : ",").append("\"k").append(i).append(r.nextInt(40) == 0 ? "\\u0000" : "").append("\":")
                    .append(randomValue(r, depth + 1));
        }
        return o.append('}').toString();
    }

    private static String randomValue(Random r, int depth) {
        return switch (depth > 3 ? r.nextInt(3) : r.nextInt(5)) {
            case 0 -> r.nextInt(8) > 0 ? "\"s" + r.nextInt(100) + "\"" : pick(r, STRINGS);
            case 1 -> r.nextInt(6) > 0 ? String.valueOf(r.nextInt(1000)) : pick(r, NUMBERS);
            case 2 -> r.nextBoolean() ? "true" : "null";
            case 3 -> randomObject(r, depth);
            default -> "[" + randomValue(r, depth + 1) + "," + randomValue(r, depth + 1) + "]";
        };
    }

    private static String pick(Random r, String[] values) {
        return values[r.nextInt(values.length)];
    }
}
