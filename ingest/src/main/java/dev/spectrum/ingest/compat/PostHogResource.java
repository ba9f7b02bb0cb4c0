package dev.spectrum.ingest.compat;

import static dev.spectrum.ingest.compat.CompatEvents.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spectrum.ingest.ApiError;
import dev.spectrum.ingest.ApiException;
import dev.spectrum.ingest.EventSink;
import dev.spectrum.ingest.IngestLimits;
import dev.spectrum.ingest.IngestMetrics;
import dev.spectrum.ingest.IngestSettings;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * PostHog's capture API (ingest-api.md, Compatible APIs): {@code POST /batch/} and
 * {@code /capture/} with {@code api_key} in the body, gzip or not. Mapping: docs/ingest-compat.md.
 */
@Path("/")
public class PostHogResource {

    private final CompatApi api;
    private final Shapes shapes = new Shapes();

    public PostHogResource(IngestSettings settings, EventSink sink, IngestMetrics metrics) {
        this.api = new CompatApi(settings.writeKeys(), sink, metrics);
    }

    @POST
    @Path("{endpoint: batch/?|capture/?|e/?}")
    @Operation(hidden = true)
    public Response capture(@PathParam("endpoint") String endpoint,
                            @HeaderParam("Content-Encoding") String contentEncoding, InputStream body) {
        return api.handle(shapes, endpoint, null, contentEncoding, body);
    }

    /** PostHog's part: the key in the body or its first event, one event or a batch, its error shape. */
    static final class Shapes implements CompatApi.Vendor {

        /** PostHog's own transport properties, dropped. */
        private static final List<String> TRANSPORT = List.of("$lib", "$lib_version", "$geoip_disable", "distinct_id", "$groups",
                "$anon_distinct_id", "$ip", "$is_server");

        @Override
        public boolean keyInBody() {
            return true;
        }

        @Override
        public String key(JsonNode json, String authorization) {
            String key = Optional.ofNullable(text(json.get("api_key"))).orElse(text(json.get("token")));
            List<JsonNode> messages = messages(json, null);
            if (key == null && !messages.isEmpty()) {
                key = Optional.ofNullable(text(messages.get(0).get("api_key"))).orElse(text(messages.get(0).path("properties").get("token")));
            }
            return key;
        }

        @Override
        public boolean wellFormed(JsonNode json) {
            return json.isObject() || json.isArray();
        }

        @Override
        public List<JsonNode> messages(JsonNode json, String call) {
            List<JsonNode> messages = new ArrayList<>();
            if (json.isArray()) {
                json.forEach(messages::add);
            } else if (json.has("batch")) {
                json.get("batch").forEach(messages::add);
            } else {
                messages.add(json);
            }
            return messages;
        }

        @Override
        public ObjectNode map(JsonNode m, String call, CompatEvents compat) {
            JsonNode properties = m.path("properties");
            ObjectNode props = properties.isObject() ? ((ObjectNode) properties).deepCopy() : compat.mapper().createObjectNode();
            TRANSPORT.forEach(props::remove);
            String distinctId = Optional.ofNullable(text(m.get("distinct_id"))).orElse(text(properties.get("distinct_id")));
            Map<String, String> ctx = new HashMap<>();
            ctx.put("ip", text(properties.get("$ip")));
            return compat.event(text(m.get("event")), distinctId, text(properties.get("$anon_distinct_id")),
                    text(properties.path("$groups").get("account")), text(m.get("uuid")), text(m.get("timestamp")), props, ctx);
        }

        @Override
        public Response malformed(String detail) {
            return error(400, "validation_error", "invalid_payload", "Malformed request data", null);
        }

        @Override
        public Response missingKey() {
            return error(401, "authentication_error", "missing_api_key",
                    "API key not provided. You can find your project API key in your PostHog project settings.", null);
        }

        @Override
        public Response unknownKey() {
            return error(401, "authentication_error", "invalid_api_key",
                    "Project API key invalid. You can find your project API key in your PostHog project settings.", null);
        }

        @Override
        public Response empty() {
            return error(400, "validation_error", "invalid_payload", "No data found. Make sure to use a POST request.", null);
        }

        @Override
        public Response tooMany() {
            return error(413, "validation_error", "payload_too_large",
                    "More than " + IngestLimits.MAX_EVENTS + " events in one request.", null);
        }

        @Override
        public Response invalid(List<ApiError.FieldError> errors) {
            var first = errors.get(0);
            return error(400, "validation_error", "invalid_payload", "Invalid event " + first.index() + ": "
                    + first.field() + " " + first.message(), first.field());
        }

        @Override
        public Response accepted(int events, JsonNode json) {
            return Response.ok(Map.of("status", 1)).type(MediaType.APPLICATION_JSON_TYPE).build();
        }

        @Override
        public Response refused(ApiException e) {
            return error(e.status(), e.status() == 503 ? "server_error" : "validation_error", e.body().error(),
                    e.body().message(), null);
        }

        private static Response error(int status, String type, String code, String detail, String attr) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", type);
            body.put("code", code);
            body.put("detail", detail);
            body.put("attr", attr);
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
        }
    }
}
