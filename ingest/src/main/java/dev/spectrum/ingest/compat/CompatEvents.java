package dev.spectrum.ingest.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spectrum.ingest.ApiError;
import dev.spectrum.ingest.BoundedBody;
import dev.spectrum.ingest.EventValidator;
import dev.spectrum.ingest.IngestLimits;
import dev.spectrum.ingest.IncomingEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the compatible APIs share: reading a JSON body whatever its Content-Type says (gzip or
 * not, as the original services do) within the native limits, and validating mapped events with
 * the native rules. Each API maps its own fields to a native event object first.
 */
public final class CompatEvents {

    /** Events that passed, and errors by index and field for those that did not. */
    public record Checked(List<IncomingEvent> events, List<ApiError.FieldError> errors) {
    }

    private final ObjectMapper mapper;
    private final EventValidator validator;

    public CompatEvents(ObjectMapper mapper) {
        this.mapper = mapper;
        this.validator = new EventValidator(mapper, Clock.systemUTC());
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    /** The body as JSON (null when it is not JSON); throws ApiException 413 past the limits. */
    public JsonNode read(InputStream body, String contentEncoding) throws IOException {
        var in = new PushbackInputStream(body, 2);
        byte[] magic = in.readNBytes(2);
        in.unread(magic);
        boolean gzip = "gzip".equalsIgnoreCase(contentEncoding == null ? "" : contentEncoding.trim())
                || (magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b);
        byte[] bytes = BoundedBody.read(in, gzip, IngestLimits.MAX_BODY_BYTES);
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    public Checked check(List<ObjectNode> mapped) {
        List<ApiError.FieldError> errors = new ArrayList<>();
        List<IncomingEvent> events = new ArrayList<>();
        for (int i = 0; i < mapped.size(); i++) {
            IncomingEvent e = validator.validate(i, mapped.get(i), errors);
            if (e != null) {
                events.add(e);
            }
        }
        return new Checked(events, errors);
    }

    static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.isTextual() ? node.textValue() : node.toString();
    }

    /** A native event object from the mapped parts; nulls are left out. */
    ObjectNode event(String type, String userId, String anonymousId, String accountId, String eventId, String timestamp,
                     JsonNode properties, Map<String, String> context) {
        ObjectNode e = mapper.createObjectNode();
        e.put("type", type);
        putText(e, "user_id", userId);
        putText(e, "anonymous_id", anonymousId);
        putText(e, "account_id", accountId);
        putText(e, "event_id", NameUuid.eventId(eventId));
        putText(e, "timestamp", timestamp);
        if (properties != null && properties.isObject()) {
            e.set("properties", properties);
        }
        ObjectNode c = mapper.createObjectNode();
        context.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                c.put(k, v);
            }
        });
        if (!c.isEmpty()) {
            e.set("context", c);
        }
        return e;
    }

    private static void putText(ObjectNode e, String field, String value) {
        if (value != null) {
            e.put(field, value);
        }
    }

    /** Milliseconds since the epoch as RFC 3339 (Amplitude's time). */
    static String millis(JsonNode time) {
        if (time == null || !time.canConvertToLong()) {
            return null;
        }
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.ofEpochMilli(time.asLong()).atOffset(ZoneOffset.UTC));
    }

    /** A country only when it is a two-letter code (the native rule); names like "Germany" are left out. */
    static String country(String value) {
        return value != null && value.matches("[A-Za-z]{2}") ? value : null;
    }
}
