package dev.spectrum.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The fast path of {@link EventBatch#parse}: one streaming pass over the body that reads a
 * batch of valid events without building a JSON tree, writing {@code properties} and
 * {@code context} straight to compact JSON as it reads them.
 *
 * <p>It decides nothing on its own: the moment anything is not plainly valid (a syntax error,
 * a wrong type, an unknown field, a broken rule, a number it would have to think about) it
 * gives up and returns null, and the caller runs {@link EventValidator} over the tree, which
 * makes the answer and every error message. So it only has to agree with the validator on
 * valid batches, and there it gives the same events, byte for byte (EventBatchEquivalenceTest
 * checks both on a corpus of valid and broken batches).
 */
final class StreamingEvents {

    private final JsonFactory factory;
    private final EventValidator validator;

    StreamingEvents(JsonFactory factory, EventValidator validator) {
        this.factory = factory;
        this.validator = validator;
    }

    /** The batch's events, or null when the tree-based validator must decide. */
    List<IncomingEvent> read(byte[] body) {
        try (JsonParser p = factory.createParser(body)) {
            Json out = new Json();
            List<IncomingEvent> events = new ArrayList<>();
            JsonToken root = p.nextToken();
            if (root == JsonToken.START_ARRAY) {
                if (!readEvents(p, out, events)) {
                    return null;
                }
            } else if (root == JsonToken.START_OBJECT) {
                JsonToken first = p.nextToken();
                if (first == JsonToken.FIELD_NAME && p.currentName().equals("events")) {
                    // {"events": [...]} and nothing else; an event has no field "events"
                    if (p.nextToken() != JsonToken.START_ARRAY || !readEvents(p, out, events)
                            || p.nextToken() != JsonToken.END_OBJECT) {
                        return null;
                    }
                } else {
                    IncomingEvent event = readEvent(p, first, out);
                    if (event == null) {
                        return null;
                    }
                    events.add(event);
                }
            } else {
                return null;
            }
            if (p.nextToken() != null || events.isEmpty() || events.size() > EventBatch.MAX_EVENTS) {
                return null;
            }
            return events;
        } catch (IOException e) {
            // malformed JSON, too deep, a number too long: the tree parser says which
            return null;
        }
    }

    private boolean readEvents(JsonParser p, Json out, List<IncomingEvent> events) throws IOException {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT || events.size() == EventBatch.MAX_EVENTS) {
                return false;
            }
            IncomingEvent event = readEvent(p, p.nextToken(), out);
            if (event == null) {
                return false;
            }
            events.add(event);
        }
        return true;
    }

    /** One event object, its first token after '{' given; null when any rule might fail. */
    private IncomingEvent readEvent(JsonParser p, JsonToken first, Json out) throws IOException {
        String type = null;
        String userId = null;
        String anonymousId = null;
        String accountId = null;
        String eventId = null;
        String timestamp = null;
        String properties = null;
        String context = null;
        for (JsonToken t = first; t != JsonToken.END_OBJECT; t = p.nextToken()) {
            if (t != JsonToken.FIELD_NAME) {
                return null;
            }
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                if (!EventValidator.FIELDS.contains(field)) {
                    return null;
                }
                continue; // null is absent (a null type is then missing, below)
            }
            // every known field that is not null must be read here: anything else is for the validator
            boolean read = switch (field) {
                case "type" -> (type = text(p, value)) != null;
                case "user_id" -> (userId = text(p, value)) != null;
                case "anonymous_id" -> (anonymousId = text(p, value)) != null;
                case "account_id" -> (accountId = text(p, value)) != null;
                case "event_id" -> (eventId = text(p, value)) != null;
                case "timestamp" -> (timestamp = text(p, value)) != null;
                case "properties" -> value == JsonToken.START_OBJECT && (properties = out.properties(p)) != null;
                case "context" -> value == JsonToken.START_OBJECT && (context = out.context(p)) != null;
                default -> false;
            };
            if (!read) {
                return null;
            }
        }
        if (type == null || type.isEmpty() || EventValidator.tooLong(type)) {
            return null;
        }
        userId = EventValidator.emptyAsAbsent(userId);
        anonymousId = EventValidator.emptyAsAbsent(anonymousId);
        accountId = EventValidator.emptyAsAbsent(accountId);
        if (userId == null && anonymousId == null || EventValidator.tooLong(userId)
                || EventValidator.tooLong(anonymousId) || EventValidator.tooLong(accountId)) {
            return null;
        }
        UUID id = eventId == null ? UUID.randomUUID() : EventValidator.uuid(eventId);
        if (id == null) {
            return null;
        }
        OffsetDateTime occurredAt = null;
        if (timestamp != null) {
            List<ApiError.FieldError> errors = new ArrayList<>(0);
            occurredAt = validator.timestamp(0, timestamp, errors);
            if (occurredAt == null) {
                return null;
            }
        }
        return new IncomingEvent(id, type, accountId, userId, anonymousId, occurredAt,
                properties == null ? "{}" : properties, context == null ? "{}" : context);
    }

    /** A string value PostgreSQL can store, or null. */
    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            return null;
        }
        String text = p.getText();
        return EventValidator.storableText(text) == null ? text : null;
    }

    /**
     * Compact JSON, written as the validator's mapper writes its tree (Jackson's defaults): no
     * spaces; in strings and keys {@code "} and {@code \\} escaped, \\b \\t \\n \\f \\r as such,
     * other control characters as {@code \\u00XX} (upper-case hex), everything else as it is;
     * integers in full, decimals as {@link BigDecimal#toString()}.
     */
    private static final class Json {
        private static final char[] HEX = "0123456789ABCDEF".toCharArray();
        private final StringBuilder out = new StringBuilder(512);

        /** The properties object the parser is at, or null when a value needs the validator. */
        String properties(JsonParser p) throws IOException {
            out.setLength(0);
            if (!copy(p, JsonToken.START_OBJECT)) {
                return null;
            }
            // as compact JSON in UTF-8; 4 bytes per char is the most a char can take
            if (out.length() * 4L > EventValidator.MAX_PROPERTIES_BYTES
                    && utf8Length(out) > EventValidator.MAX_PROPERTIES_BYTES) {
                return null;
            }
            return out.toString();
        }

        /** The context object, its null fields dropped, or null when it breaks a rule. */
        String context(JsonParser p) throws IOException {
            out.setLength(0);
            out.append('{');
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!EventValidator.CONTEXT_FIELDS.contains(field)) {
                    return null;
                }
                if (value == JsonToken.VALUE_NULL) {
                    continue;
                }
                if (value != JsonToken.VALUE_STRING) {
                    return null;
                }
                String text = p.getText();
                if (EventValidator.storableText(text) != null || field.equals("country")
                        && !EventValidator.COUNTRIES.contains(text.toUpperCase(Locale.ROOT))) {
                    return null;
                }
                if (out.length() > 1) {
                    out.append(',');
                }
                string(field);
                out.append(':');
                string(text);
            }
            return out.append('}').toString();
        }

        /** Copies one value, checking it as EventValidator.checkStorable does; false to give up. */
        private boolean copy(JsonParser p, JsonToken t) throws IOException {
            switch (t) {
                case START_OBJECT -> {
                    out.append('{');
                    boolean first = true;
                    for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
                        String key = p.currentName();
                        if (EventValidator.storableText(key) != null) {
                            return false;
                        }
                        if (!first) {
                            out.append(',');
                        }
                        first = false;
                        string(key);
                        out.append(':');
                        if (!copy(p, p.nextToken())) {
                            return false;
                        }
                    }
                    out.append('}');
                }
                case START_ARRAY -> {
                    out.append('[');
                    boolean first = true;
                    for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
                        if (!first) {
                            out.append(',');
                        }
                        first = false;
                        if (!copy(p, n)) {
                            return false;
                        }
                    }
                    out.append(']');
                }
                case VALUE_STRING -> {
                    String text = p.getText();
                    if (EventValidator.storableText(text) != null) {
                        return false;
                    }
                    string(text);
                }
                // as the tree keeps them: int, long or big integer by size, decimals exact
                case VALUE_NUMBER_INT -> {
                    switch (p.getNumberType()) {
                        case INT -> out.append(p.getIntValue());
                        case LONG -> out.append(p.getLongValue());
                        default -> out.append(p.getBigIntegerValue());
                    }
                }
                case VALUE_NUMBER_FLOAT -> {
                    BigDecimal number = p.getDecimalValue();
                    if (!EventValidator.storableNumber(number)) {
                        return false;
                    }
                    out.append(number);
                }
                case VALUE_TRUE -> out.append("true");
                case VALUE_FALSE -> out.append("false");
                case VALUE_NULL -> out.append("null");
                default -> {
                    return false;
                }
            }
            return true;
        }

        private void string(String s) {
            out.append('"');
            int i = 0;
            int n = s.length();
            while (i < n) {
                char c = s.charAt(i);
                if (c < 0x20 || c == '"' || c == '\\') {
                    break;
                }
                i++;
            }
            if (i == n) {
                out.append(s).append('"');
                return;
            }
            out.append(s, 0, i);
            for (; i < n; i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\b' -> out.append("\\b");
                    case '\t' -> out.append("\\t");
                    case '\n' -> out.append("\\n");
                    case '\f' -> out.append("\\f");
                    case '\r' -> out.append("\\r");
                    default -> {
                        if (c < 0x20) {
                            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }

        private static long utf8Length(CharSequence text) {
            long bytes = 0;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < 0x80) {
                    bytes += 1;
                } else if (c < 0x800) {
                    bytes += 2;
                } else if (Character.isHighSurrogate(c)) {
                    bytes += 4;
                    i++;
                } else {
                    bytes += 3;
                }
            }
            return bytes;
        }
    }
}
