package dev.spectrum.ingest.compat;

import static dev.spectrum.ingest.compat.CompatEvents.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spectrum.ingest.ApiError;
import dev.spectrum.ingest.ApiException;
import dev.spectrum.ingest.EventSink;
import dev.spectrum.ingest.IngestMetrics;
import dev.spectrum.ingest.IngestSettings;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Amplitude's HTTP API V2 (ingest-api.md, Compatible APIs): {@code POST /2/httpapi} with
 * {@code api_key} in the body, answering in Amplitude's shapes (its SDK reads the {@code code}
 * field). Mapping: docs/ingest-compat.md.
 */
@Path("/2/httpapi")
public class AmplitudeResource {

    private final CompatApi api;
    private final Shapes shapes = new Shapes();

    public AmplitudeResource(IngestSettings settings, EventSink sink, IngestMetrics metrics) {
        this.api = new CompatApi(settings.writeKeys(), sink, metrics);
    }

    @POST
    @Operation(hidden = true)
    public Response upload(@HeaderParam("Content-Encoding") String contentEncoding, InputStream body) {
        return api.handle(shapes, "httpapi", null, contentEncoding, body);
    }

    /** Amplitude's part: {@code api_key} and {@code events} in the body, answers with a {@code code}. */
    static final class Shapes implements CompatApi.Vendor {

        /** Native field -> Amplitude field, for error bodies. */
        private static final Map<String, String> FIELDS = Map.of("type", "event_type", "user_id", "user_id",
                "anonymous_id", "device_id", "timestamp", "time", "event_id", "insert_id", "properties", "event_properties",
                "account_id", "groups", "context", "ip");

        @Override
        public boolean keyInBody() {
            return true;
        }

        @Override
        public String key(JsonNode json, String authorization) {
            return text(json.get("api_key"));
        }

        @Override
        public boolean wellFormed(JsonNode json) {
            return json.isObject();
        }

        @Override
        public List<JsonNode> messages(JsonNode json, String call) {
            List<JsonNode> messages = new ArrayList<>();
            JsonNode events = json.get("events");
            if (events != null && events.isArray()) {
                events.forEach(messages::add);
            }
            return messages;
        }

        @Override
        public ObjectNode map(JsonNode e, String call, CompatEvents compat) {
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

        @Override
        public Response malformed(String detail) {
            return answer(400, Map.of("error", "Invalid JSON request body"));
        }

        @Override
        public Response missingKey() {
            return answer(400, Map.of("error", "Request missing required field", "missing_field", "api_key"));
        }

        @Override
        public Response unknownKey() {
            return answer(400, Map.of("error", "Invalid API key"));
        }

        @Override
        public Response empty() {
            return answer(400, Map.of("error", "Request missing required field", "missing_field", "events"));
        }

        @Override
        public Response tooMany() {
            return answer(413, Map.of("error", "Payload too large"));
        }

        /** Amplitude's 400 for invalid events: field -> indexes, split by the errors' codes into missing and invalid. */
        @Override
        public Response invalid(List<ApiError.FieldError> errors) {
            Map<String, TreeSet<Integer>> missing = new LinkedHashMap<>();
            Map<String, TreeSet<Integer>> bad = new LinkedHashMap<>();
            for (ApiError.FieldError error : errors) {
                String field = FIELDS.getOrDefault(error.field().replaceFirst("\\..*$", ""), error.field());
                (error.code() == ApiError.Code.MISSING ? missing : bad).computeIfAbsent(field, f -> new TreeSet<>()).add(error.index());
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "Invalid field values on some events");
            body.put("events_with_invalid_fields", bad);
            body.put("events_with_missing_fields", missing);
            return answer(400, body);
        }

        @Override
        public Response accepted(int events, JsonNode json) {
            return answer(200, Map.of("events_ingested", events, "payload_size_bytes", json.toString().length(),
                    "server_upload_time", System.currentTimeMillis()));
        }

        @Override
        public Response refused(ApiException e) {
            return Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("code", e.status(), "error", e.body().message())).build();
        }

        private static Response answer(int code, Map<String, Object> fields) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", code);
            body.putAll(fields);
            return Response.status(code).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
        }
    }
}
