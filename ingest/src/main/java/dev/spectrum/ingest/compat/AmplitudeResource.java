package dev.spectrum.ingest.compat;

import static dev.spectrum.ingest.compat.CompatEvents.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spectrum.ingest.ApiError;
import dev.spectrum.ingest.ApiException;
import dev.spectrum.ingest.EventSink;
import dev.spectrum.ingest.IngestMetrics;
import dev.spectrum.ingest.IngestSettings;
import dev.spectrum.ingest.WriteKeys;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Amplitude's HTTP API V2 (ingest-api.md, Compatible APIs): {@code POST /2/httpapi} with
 * {@code api_key} in the body, answering in Amplitude's shapes (its SDK reads the {@code code}
 * field). Mapping: docs/ingest-compat.md.
 */
@Path("/2/httpapi")
public class AmplitudeResource {

    /** Native field -> Amplitude field, for error bodies. */
    private static final Map<String, String> FIELDS = Map.of("type", "event_type", "user_id", "user_id",
            "anonymous_id", "device_id", "timestamp", "time", "event_id", "insert_id", "properties", "event_properties",
            "account_id", "groups", "context", "ip");

    private final WriteKeys writeKeys;
    private final EventSink sink;
    private final IngestMetrics metrics;
    private final CompatEvents compat = new CompatEvents(dev.spectrum.ingest.JsonMapper.strict());

    public AmplitudeResource(IngestSettings settings, EventSink sink, IngestMetrics metrics) {
        this.writeKeys = settings.writeKeys();
        this.sink = sink;
        this.metrics = metrics;
    }

    @POST
    @Operation(hidden = true)
    public Response upload(@HeaderParam("Content-Encoding") String contentEncoding, InputStream body) {
        try {
            JsonNode json = compat.read(body, contentEncoding);
            if (json == null || !json.isObject()) {
                return answer(400, Map.of("error", "Invalid JSON request body"));
            }
            String key = text(json.get("api_key"));
            if (key == null || key.isEmpty()) {
                return answer(400, Map.of("error", "Request missing required field", "missing_field", "api_key"));
            }
            Optional<String> source = writeKeys.nameOf(key);
            if (source.isEmpty()) {
                metrics.rejected("unauthorized");
                return answer(400, Map.of("error", "Invalid API key"));
            }
            JsonNode events = json.get("events");
            if (events == null || !events.isArray() || events.isEmpty()) {
                return answer(400, Map.of("error", "Request missing required field", "missing_field", "events"));
            }
            if (events.size() > dev.spectrum.ingest.EventBatch.MAX_EVENTS) {
                return answer(413, Map.of("error", "Payload too large"));
            }
            List<ObjectNode> mapped = new ArrayList<>();
            events.forEach(e -> mapped.add(map(e)));
            var checked = compat.check(mapped);
            if (!checked.errors().isEmpty()) {
                metrics.rejected("invalid_events");
                return answer(400, invalid(checked.errors()));
            }
            sink.commit(checked.events(), source.get());
            return answer(200, Map.of("events_ingested", checked.events().size(), "payload_size_bytes", json.toString().length(),
                    "server_upload_time", System.currentTimeMillis()));
        } catch (ApiException e) {
            metrics.rejected(e.body().error());
            Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("code", e.status(), "error", e.body().message()));
            if (e.status() == 503) {
                r.header("Retry-After", "2");
            }
            return r.build();
        } catch (IOException e) {
            return answer(400, Map.of("error", "Invalid JSON request body"));
        }
    }

    private ObjectNode map(JsonNode e) {
        ObjectNode props = e.get("event_properties") != null && e.get("event_properties").isObject()
                ? ((ObjectNode) e.get("event_properties")).deepCopy() : compat.mapper().createObjectNode();
        if (e.hasNonNull("user_properties")) {
            props.set("user_properties", e.get("user_properties"));
        }
        Map<String, String> ctx = new HashMap<>();
        ctx.put("ip", text(e.get("ip")));
        ctx.put("locale", text(e.get("language")));
        ctx.put("country", CompatEvents.country(text(e.get("country"))));
        return compat.event(text(e.get("event_type")), text(e.get("user_id")), text(e.get("device_id")),
                text(e.path("groups").get("account")), text(e.get("insert_id")), CompatEvents.millis(e.get("time")), props, ctx);
    }

    /** Amplitude's 400 for invalid events: field -> indexes, split into missing and invalid. */
    private static Map<String, Object> invalid(List<ApiError.FieldError> errors) {
        Map<String, TreeSet<Integer>> missing = new LinkedHashMap<>();
        Map<String, TreeSet<Integer>> bad = new LinkedHashMap<>();
        for (ApiError.FieldError error : errors) {
            String field = FIELDS.getOrDefault(error.field().replaceFirst("\\..*$", ""), error.field());
            boolean isMissing = error.message().startsWith("is required") || error.message().startsWith("an event needs");
            (isMissing ? missing : bad).computeIfAbsent(field, f -> new TreeSet<>()).add(error.index());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "Invalid field values on some events");
        body.put("events_with_invalid_fields", bad);
        body.put("events_with_missing_fields", missing);
        return body;
    }

    private static Response answer(int code, Map<String, Object> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.putAll(fields);
        return Response.status(code).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
