package dev.spectrum.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The field rules of the native API (ingest-api.md) for one event. Every rule that fails is
 * reported, with the event's index and a dotted field path; a batch with any error is refused
 * whole by the caller.
 */
public final class EventValidator {

    static final int MAX_ID_LENGTH = IngestLimits.MAX_ID_LENGTH;
    static final int MAX_PROPERTIES_BYTES = IngestLimits.MAX_PROPERTIES_BYTES;
    static final Duration MAX_FUTURE = IngestLimits.MAX_FUTURE;

    static final Set<String> FIELDS = Set.of(
            "type", "user_id", "anonymous_id", "account_id", "event_id", "timestamp", "properties", "context");
    static final Set<String> CONTEXT_FIELDS = Set.of("ip", "user_agent", "locale", "country", "region", "city");
    static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
    private static final Pattern RFC_3339 = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");
    // PostgreSQL's timestamptz input: a UTC offset below 16 hours (java.time allows 18)
    private static final int MAX_OFFSET_SECONDS = 16 * 3600;
    // PostgreSQL's numeric: up to 131072 digits before the decimal point, 16383 after
    private static final int MAX_INTEGER_DIGITS = 131_072;
    private static final int MAX_FRACTION_DIGITS = 16_383;

    private final ObjectMapper mapper;
    private final Clock clock;

    public EventValidator(ObjectMapper mapper, Clock clock) {
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Validates one event; returns it, or null after adding its errors. */
    public IncomingEvent validate(int index, JsonNode node, List<ApiError.FieldError> errors) {
        int before = errors.size();
        if (!node.isObject()) {
            errors.add(new ApiError.FieldError(index, "event", "must be a JSON object, got " + kind(node)));
            return null;
        }
        var fieldNames = new ArrayList<String>();
        node.fieldNames().forEachRemaining(fieldNames::add);
        for (String name : fieldNames) {
            if (!FIELDS.contains(name)) {
                errors.add(new ApiError.FieldError(index, name,
                        "unknown field; an event has only type, user_id, anonymous_id, account_id, event_id, timestamp, properties and context"));
            }
        }

        String type = text(index, node, "type", errors);
        if (type == null && !hasError(errors, before, "type")) {
            errors.add(ApiError.FieldError.missing(index, "type", "is required: the event's name, for example \"signup\""));
        } else if (type != null && type.isEmpty()) {
            errors.add(new ApiError.FieldError(index, "type", "must not be empty"));
        }
        lengthAtMost(index, "type", type, errors);

        String userId = emptyAsAbsent(text(index, node, "user_id", errors));
        String anonymousId = emptyAsAbsent(text(index, node, "anonymous_id", errors));
        String accountId = emptyAsAbsent(text(index, node, "account_id", errors));
        lengthAtMost(index, "user_id", userId, errors);
        lengthAtMost(index, "anonymous_id", anonymousId, errors);
        lengthAtMost(index, "account_id", accountId, errors);
        if (userId == null && anonymousId == null && !hasError(errors, before, "user_id")
                && !hasError(errors, before, "anonymous_id")) {
            errors.add(ApiError.FieldError.missing(index, "user_id",
                    "an event needs a user_id or an anonymous_id (or both)"));
        }

        UUID eventId = null;
        String eventIdText = text(index, node, "event_id", errors);
        if (eventIdText != null) {
            eventId = uuid(eventIdText);
            if (eventId == null) {
                errors.add(new ApiError.FieldError(index, "event_id",
                        "must be a UUID such as 3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6f"));
            }
        }

        OffsetDateTime occurredAt = null;
        String timestamp = text(index, node, "timestamp", errors);
        if (timestamp != null) {
            occurredAt = timestamp(index, timestamp, errors);
        }

        String properties = jsonObject(index, node, "properties", errors);
        if (properties != null && properties.getBytes(StandardCharsets.UTF_8).length > MAX_PROPERTIES_BYTES) {
            errors.add(new ApiError.FieldError(index, "properties", "is larger than 32 KiB as compact JSON ("
                    + properties.getBytes(StandardCharsets.UTF_8).length + " bytes)"));
        }
        String context = context(index, node, errors);

        if (errors.size() > before) {
            return null;
        }
        return new IncomingEvent(eventId == null ? UUID.randomUUID() : eventId, type, accountId, userId, anonymousId,
                occurredAt, properties == null ? "{}" : properties, context == null ? "{}" : context);
    }

    private String text(int index, JsonNode event, String field, List<ApiError.FieldError> errors) {
        JsonNode value = event.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            errors.add(new ApiError.FieldError(index, field, "must be a string, got " + kind(value)));
            return null;
        }
        String text = value.textValue();
        String problem = storableText(text);
        if (problem != null) {
            errors.add(new ApiError.FieldError(index, field, problem));
            return null;
        }
        return text;
    }

    private static void lengthAtMost(int index, String field, String value, List<ApiError.FieldError> errors) {
        if (tooLong(value)) {
            errors.add(new ApiError.FieldError(index, field, "is longer than " + MAX_ID_LENGTH + " characters ("
                    + value.codePointCount(0, value.length()) + ")"));
        }
    }

    /** Whether a type or id has more than MAX_ID_LENGTH code points (null is not too long). */
    static boolean tooLong(String value) {
        // no more chars than allowed: no more code points either, without counting them
        return value != null && value.length() > MAX_ID_LENGTH
                && value.codePointCount(0, value.length()) > MAX_ID_LENGTH;
    }

    OffsetDateTime timestamp(int index, String text, List<ApiError.FieldError> errors) {
        OffsetDateTime time = rfc3339(text);
        if (time == null) {
            // not a plain valid time: the pattern and java.time's parser say what is wrong
            if (!RFC_3339.matcher(text).matches()) {
                errors.add(new ApiError.FieldError(index, "timestamp",
                        "must be an RFC 3339 time with an offset, such as 2026-11-26T10:15:30Z or 2026-11-26T11:15:30.250+01:00"));
                return null;
            }
            try {
                time = OffsetDateTime.parse(text.replace(' ', 'T').replace('t', 'T').replace('z', 'Z'),
                        DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            } catch (DateTimeParseException e) {
                errors.add(new ApiError.FieldError(index, "timestamp", "is not a valid date and time: " + text));
                return null;
            }
        }
        if (time.getYear() < 1) {
            errors.add(new ApiError.FieldError(index, "timestamp", "must be in year 0001 or later"));
            return null;
        }
        if (Math.abs(time.getOffset().getTotalSeconds()) >= MAX_OFFSET_SECONDS) {
            errors.add(new ApiError.FieldError(index, "timestamp", "has the UTC offset " + time.getOffset()
                    + "; PostgreSQL takes offsets up to \u00b115:59"));
            return null;
        }
        if (time.toInstant().isAfter(clock.instant().plus(MAX_FUTURE))) {
            errors.add(new ApiError.FieldError(index, "timestamp",
                    "is more than 24 hours in the future; check the sending device's clock"));
            return null;
        }
        return time;
    }

    /**
     * A time of the form {@code RFC_3339} matches, read digit by digit: what
     * {@code ISO_OFFSET_DATE_TIME} gives for it, or null when it is not of that form or not a
     * valid date, time or offset (then the slow route above says why). The pattern plus java.time's
     * parser took about 30% of reading a batch (docs/benchmarks.md); TimeAndUuidFormsTest compares the two.
     */
    static OffsetDateTime rfc3339(String t) {
        int n = t.length();
        if (n < 20 || n > 35 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        char separator = t.charAt(10);
        if (separator != 'T' && separator != 't' && separator != ' ') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (t.charAt(i) == '.') {
            int from = ++i;
            while (i < n && i - from < 9 && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                nanos = nanos * 10 + (t.charAt(i++) - '0');
            }
            if (i == from) {
                return null;
            }
            for (int k = i - from; k < 9; k++) {
                nanos *= 10;
            }
        }
        if (i >= n) {
            return null;
        }
        ZoneOffset offset;
        char sign = t.charAt(i);
        try {
            if ((sign == 'Z' || sign == 'z') && i + 1 == n) {
                offset = ZoneOffset.UTC;
            } else if ((sign == '+' || sign == '-') && i + 6 == n && t.charAt(i + 3) == ':') {
                int hours = digits(t, i + 1, 2);
                int minutes = digits(t, i + 4, 2);
                if ((hours | minutes) < 0 || minutes > 59) {
                    return null;
                }
                offset = sign == '+' ? ZoneOffset.ofHoursMinutes(hours, minutes) : ZoneOffset.ofHoursMinutes(-hours, -minutes);
            } else {
                return null;
            }
            return OffsetDateTime.of(year, month, day, hour, minute, second, nanos, offset);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    /** The decimal number of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The UUID in the 8-4-4-4-12 hexadecimal form (any case), read without a matcher; null for other text. */
    static UUID uuid(String t) {
        if (t.length() != 36 || t.charAt(8) != '-' || t.charAt(13) != '-' || t.charAt(18) != '-' || t.charAt(23) != '-') {
            return null;
        }
        long a = nibbles(t, 0, 8);
        long b = nibbles(t, 9, 4);
        long c = nibbles(t, 14, 4);
        long d = nibbles(t, 19, 4);
        long e = nibbles(t, 24, 12);
        if ((a | b | c | d | e) < 0) {
            return null;
        }
        return new UUID(a << 32 | b << 16 | c, d << 48 | e);
    }

    private static final byte[] NIBBLE = new byte[128];

    static {
        java.util.Arrays.fill(NIBBLE, (byte) -1);
        for (int i = 0; i < 10; i++) {
            NIBBLE['0' + i] = (byte) i;
        }
        for (int i = 0; i < 6; i++) {
            NIBBLE['a' + i] = (byte) (10 + i);
            NIBBLE['A' + i] = (byte) (10 + i);
        }
    }

    /** count hexadecimal digits at from as a number, or -1 (count at most 15). */
    private static long nibbles(String t, int from, int count) {
        long value = 0;
        for (int i = from; i < from + count; i++) {
            char ch = t.charAt(i);
            int digit = ch < 128 ? NIBBLE[ch] : -1;
            if (digit < 0) {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    private String jsonObject(int index, JsonNode event, String field, List<ApiError.FieldError> errors) {
        JsonNode value = event.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            errors.add(new ApiError.FieldError(index, field, "must be a JSON object, got " + kind(value)));
            return null;
        }
        int before = errors.size();
        checkStorable(index, field, value, errors);
        if (errors.size() > before) {
            return null;
        }
        try {
            return mapper.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            errors.add(new ApiError.FieldError(index, field, "cannot be written as JSON: " + e.getOriginalMessage()));
            return null;
        }
    }

    private String context(int index, JsonNode event, List<ApiError.FieldError> errors) {
        JsonNode value = event.get("context");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            errors.add(new ApiError.FieldError(index, "context", "must be a JSON object, got " + kind(value)));
            return null;
        }
        int before = errors.size();
        ObjectNode kept = mapper.createObjectNode();
        value.fields().forEachRemaining(entry -> {
            String path = "context." + entry.getKey();
            JsonNode v = entry.getValue();
            if (!CONTEXT_FIELDS.contains(entry.getKey())) {
                errors.add(new ApiError.FieldError(index, path,
                        "unknown field; context has only ip, user_agent, locale, country, region and city"));
            } else if (v.isNull()) {
                return;
            } else if (!v.isTextual()) {
                errors.add(new ApiError.FieldError(index, path, "must be a string, got " + kind(v)));
            } else if (storableText(v.textValue()) != null) {
                errors.add(new ApiError.FieldError(index, path, storableText(v.textValue())));
            } else if (entry.getKey().equals("country") && !COUNTRIES.contains(v.textValue().toUpperCase(Locale.ROOT))) {
                errors.add(new ApiError.FieldError(index, path,
                        "must be an ISO 3166-1 alpha-2 country code such as DE or US"));
            } else {
                kept.set(entry.getKey(), v);
            }
        });
        if (errors.size() > before) {
            return null;
        }
        try {
            return mapper.writeValueAsString(kept);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keys and strings PostgreSQL can store exactly, and numbers its numeric type can hold. */
    private static void checkStorable(int index, String path, JsonNode node, List<ApiError.FieldError> errors) {
        if (node.isObject()) {
            node.fields().forEachRemaining(entry -> {
                String child = path + "." + entry.getKey();
                String keyProblem = storableText(entry.getKey());
                if (keyProblem != null) {
                    errors.add(new ApiError.FieldError(index, path, "has a key that " + keyProblem.replaceFirst("^contains", "contains")));
                } else {
                    checkStorable(index, child, entry.getValue(), errors);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkStorable(index, path + "." + i, node.get(i), errors);
            }
        } else if (node.isTextual()) {
            String problem = storableText(node.textValue());
            if (problem != null) {
                errors.add(new ApiError.FieldError(index, path, problem));
            }
        } else if (node.isNumber()) {
            if (!storableNumber(node.decimalValue())) {
                errors.add(new ApiError.FieldError(index, path, "is a number outside what PostgreSQL can store"));
            }
        }
    }

    /** Whether PostgreSQL's numeric can hold this number. */
    static boolean storableNumber(BigDecimal number) {
        // the scale limit holds for zero too ('0e-20000' overflows numeric); in long, since
        // precision - scale overflows an int for exponents near 2^31
        return number.scale() <= MAX_FRACTION_DIGITS
                && (number.signum() == 0 || (long) number.precision() - number.scale() <= MAX_INTEGER_DIGITS);
    }

    /** Why PostgreSQL could not store this text exactly, or null when it can. */
    static String storableText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return "contains a NUL character (\\u0000), which PostgreSQL text cannot store; remove it";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "contains an unpaired UTF-16 surrogate (not valid Unicode); send valid UTF-8";
            }
            if (Character.isLowSurrogate(c)) {
                return "contains an unpaired UTF-16 surrogate (not valid Unicode); send valid UTF-8";
            }
        }
        return null;
    }

    static String emptyAsAbsent(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static boolean hasError(List<ApiError.FieldError> errors, int from, String field) {
        for (int i = from; i < errors.size(); i++) {
            if (errors.get(i).field().equals(field)) {
                return true;
            }
        }
        return false;
    }

    static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
