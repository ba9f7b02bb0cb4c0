package dev.spectrum.ingest.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spectrum.ingest.ApiError;
import dev.spectrum.ingest.ApiException;
import dev.spectrum.ingest.EventSink;
import dev.spectrum.ingest.IngestLimits;
import dev.spectrum.ingest.IngestMetrics;
import dev.spectrum.ingest.JsonMapper;
import dev.spectrum.ingest.WriteKeys;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one path every compatible API takes (ingest-api.md, Compatible APIs): read the body →
 * find the key → check the body's shape and its bounds → map each message to a native event →
 * validate with the native rules → commit → answer. What differs per vendor (where the key and
 * the messages are, how a message maps, the shapes of its answers) is its {@link Vendor}.
 */
public final class CompatApi {

    /** One vendor's shapes. */
    public interface Vendor {

        /**
         * True when the key travels in the body: then a body that is not JSON is refused before
         * any key is looked for; otherwise (an HTTP header) the key is checked first.
         */
        boolean keyInBody();

        /** The key the request presents, or null; {@code json} is null when the body is not JSON. */
        String key(JsonNode json, String authorization);

        /** Whether the body has the top-level shape the vendor accepts. */
        boolean wellFormed(JsonNode json);

        /** The messages of a well-formed body, for the call ({@code track}, {@code batch}, …). */
        List<JsonNode> messages(JsonNode json, String call);

        /** A native event object for one message. */
        ObjectNode map(JsonNode message, String call, CompatEvents events);

        Response malformed(String detail);

        Response missingKey();

        Response unknownKey();

        Response empty();

        Response tooMany();

        /** Some events break the native rules; each error carries its code (missing or invalid). */
        Response invalid(List<ApiError.FieldError> errors);

        Response accepted(int events, JsonNode json);

        /** A refusal the native API would give (413 from the body bounds, 503 from the sink). */
        Response refused(ApiException e);
    }

    private final WriteKeys writeKeys;
    private final EventSink sink;
    private final IngestMetrics metrics;
    private final CompatEvents events = new CompatEvents(JsonMapper.strict());

    public CompatApi(WriteKeys writeKeys, EventSink sink, IngestMetrics metrics) {
        this.writeKeys = writeKeys;
        this.sink = sink;
        this.metrics = metrics;
    }

    /** The mapper and helpers the vendors map with. */
    public CompatEvents events() {
        return events;
    }

    public Response handle(Vendor vendor, String call, String authorization, String contentEncoding, InputStream body) {
        try {
            JsonNode json;
            try {
                json = events.read(body, contentEncoding);
            } catch (IOException e) {
                return rejected("malformed_json", vendor.malformed("the body could not be read: " + e.getMessage()));
            }
            if (vendor.keyInBody() && !wellFormed(vendor, json)) {
                return rejected("malformed_json", vendor.malformed(null));
            }
            String key = vendor.key(json, authorization);
            if (key == null || key.isEmpty()) {
                return rejected("unauthorized", vendor.missingKey());
            }
            Optional<String> source = writeKeys.nameOf(key);
            if (source.isEmpty()) {
                return rejected("unauthorized", vendor.unknownKey());
            }
            if (!vendor.keyInBody() && !wellFormed(vendor, json)) {
                return rejected("malformed_json", vendor.malformed(null));
            }
            List<JsonNode> messages = vendor.messages(json, call);
            if (messages.isEmpty()) {
                return rejected("invalid_events", vendor.empty());
            }
            if (messages.size() > IngestLimits.MAX_EVENTS) {
                return rejected("payload_too_large", vendor.tooMany());
            }
            List<ObjectNode> mapped = new ArrayList<>(messages.size());
            for (JsonNode message : messages) {
                mapped.add(vendor.map(message, call, events));
            }
            var checked = events.check(mapped);
            if (!checked.errors().isEmpty()) {
                return rejected("invalid_events", vendor.invalid(checked.errors()));
            }
            sink.commit(checked.events(), source.get());
            return vendor.accepted(checked.events().size(), json);
        } catch (ApiException e) {
            Response answer = vendor.refused(e);
            if (e.retryAfterSeconds() != null && answer.getHeaderString("Retry-After") == null) {
                answer = Response.fromResponse(answer).header("Retry-After", e.retryAfterSeconds()).build();
            }
            return rejected(e.body().error(), answer);
        }
    }

    private static boolean wellFormed(Vendor vendor, JsonNode json) {
        return json != null && vendor.wellFormed(json);
    }

    private Response rejected(String reason, Response answer) {
        metrics.rejected(reason);
        return answer;
    }
}
