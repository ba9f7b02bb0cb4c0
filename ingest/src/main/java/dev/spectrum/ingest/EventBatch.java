package dev.spectrum.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body of the native API, parsed and validated: one event object, a JSON array of
 * events, or {@code {"events": [...]}}. Either every event is valid or the batch is refused.
 */
public final class EventBatch {

    public static final int MAX_EVENTS = IngestLimits.MAX_EVENTS;

    private EventBatch() {
    }

    /**
     * The batch's events, or an ApiException saying what to fix. A valid batch is read in one
     * streaming pass ({@link StreamingEvents}); anything else is decided by
     * {@link #parseTree}, which gives the same events for a valid batch.
     */
    public static List<IncomingEvent> parse(byte[] body, ObjectMapper mapper, EventValidator validator) {
        List<IncomingEvent> events = new StreamingEvents(mapper.getFactory(), validator).read(body);
        return events != null ? events : parseTree(body, mapper, validator);
    }

    /** The rules applied to the body's JSON tree, each broken one reported (ingest-api.md). */
    static List<IncomingEvent> parseTree(byte[] body, ObjectMapper mapper, EventValidator validator) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JacksonException e) {
            throw ApiException.malformedJson("the body is not valid JSON: " + e.getOriginalMessage()
                    + location(e));
        } catch (java.io.IOException e) {
            throw ApiException.malformedJson("the body could not be read as JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw ApiException.malformedJson("the body is empty: send a JSON event, an array of events or {\"events\": [...]}");
        }

        List<JsonNode> events = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(events::add);
        } else if (root.isObject() && root.size() == 1 && root.has("events")) {
            JsonNode list = root.get("events");
            if (!list.isArray()) {
                throw ApiException.invalidEvents("\"events\" must be an array of events",
                        List.of(new ApiError.FieldError(0, "events", "must be an array, got " + EventValidator.kind(list))));
            }
            list.forEach(events::add);
        } else if (root.isObject()) {
            events.add(root);
        } else {
            throw ApiException.invalidEvents("the body must be an event object, an array of events or {\"events\": [...]}",
                    List.of(new ApiError.FieldError(0, "event", "must be a JSON object, got " + EventValidator.kind(root))));
        }

        if (events.size() > MAX_EVENTS) {
            throw ApiException.tooLarge("the batch has " + events.size() + " events; send at most " + MAX_EVENTS + " per request");
        }
        if (events.isEmpty()) {
            throw ApiException.invalidEvents("the batch is empty: send at least one event", List.of());
        }

        List<ApiError.FieldError> errors = new ArrayList<>();
        List<IncomingEvent> valid = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            IncomingEvent event = validator.validate(i, events.get(i), errors);
            if (event != null) {
                valid.add(event);
            }
        }
        if (!errors.isEmpty()) {
            long bad = errors.stream().mapToInt(ApiError.FieldError::index).distinct().count();
            throw ApiException.invalidEvents(bad + " of " + events.size()
                    + (events.size() == 1 ? " event is" : " events are") + " invalid; nothing was written", errors);
        }
        return valid;
    }

    private static String location(JacksonException e) {
        var location = e.getLocation();
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
