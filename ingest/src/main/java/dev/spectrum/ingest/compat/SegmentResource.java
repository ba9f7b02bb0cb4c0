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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Segment's tracking API (ingest-api.md, Compatible APIs): track, identify, page, screen, group,
 * alias and batch, with the write key as the HTTP Basic user name. Mapping: docs/ingest-compat.md.
 */
@Path("/v1")
public class SegmentResource {

    private final CompatApi api;
    private final Shapes shapes = new Shapes();

    public SegmentResource(IngestSettings settings, EventSink sink, IngestMetrics metrics) {
        this.api = new CompatApi(settings.writeKeys(), sink, metrics);
    }

    @POST
    @Path("{call: track|identify|page|screen|group|alias|batch|import}")
    @Operation(hidden = true)
    public Response call(@PathParam("call") String call, @HeaderParam("Authorization") String authorization,
                         @HeaderParam("Content-Encoding") String contentEncoding, InputStream body) {
        return api.handle(shapes, call, authorization, contentEncoding, body);
    }

    /** Segment's part: the key in the Basic header (or the body's writeKey), its calls, its answers. */
    static final class Shapes implements CompatApi.Vendor {

        @Override
        public boolean keyInBody() {
            return false;
        }

        @Override
        public String key(JsonNode json, String authorization) {
            return basicUser(authorization).orElse(json == null ? null : text(json.get("writeKey")));
        }

        @Override
        public boolean wellFormed(JsonNode json) {
            return json.isObject();
        }

        @Override
        public List<JsonNode> messages(JsonNode json, String call) {
            List<JsonNode> messages = new ArrayList<>();
            if (batch(call)) {
                json.path("batch").forEach(messages::add);
            } else {
                messages.add(json);
            }
            return messages;
        }

        @Override
        public ObjectNode map(JsonNode m, String call, CompatEvents compat) {
            String type = batch(call) ? Optional.ofNullable(text(m.get("type"))).orElse("track") : call;
            JsonNode properties = switch (type) {
                case "identify", "group" -> m.get("traits");
                default -> m.get("properties");
            };
            ObjectNode props = properties != null && properties.isObject() ? ((ObjectNode) properties).deepCopy()
                    : compat.mapper().createObjectNode();
            if ((type.equals("page") || type.equals("screen")) && m.hasNonNull("name")) {
                props.set("name", m.get("name"));
            }
            String eventType = type.equals("track") ? text(m.get("event")) : type;
            String userId = text(m.get("userId"));
            String anonymousId = type.equals("alias") ? text(m.get("previousId")) : text(m.get("anonymousId"));
            JsonNode context = m.path("context");
            String account = type.equals("group") ? text(m.get("groupId"))
                    : Optional.ofNullable(text(context.get("groupId"))).orElse(text(m.path("properties").get("account_id")));
            String timestamp = Optional.ofNullable(text(m.get("timestamp"))).orElse(text(m.get("originalTimestamp")));
            Map<String, String> ctx = new HashMap<>();
            ctx.put("ip", text(context.get("ip")));
            ctx.put("user_agent", text(context.get("userAgent")));
            ctx.put("locale", text(context.get("locale")));
            ctx.put("country", CompatEvents.country(text(context.path("location").get("country"))));
            return compat.event(eventType, userId, anonymousId, account, text(m.get("messageId")), timestamp, props, ctx);
        }

        @Override
        public Response malformed(String detail) {
            return answer(400, detail == null ? "the body is not a JSON object" : detail, null);
        }

        @Override
        public Response missingKey() {
            return unknownKey();
        }

        @Override
        public Response unknownKey() {
            return answer(401, "invalid or missing write key: send it as the HTTP Basic user name", null);
        }

        @Override
        public Response empty() {
            return answer(400, "the batch is empty", null);
        }

        @Override
        public Response tooMany() {
            return answer(413, "more than " + IngestLimits.MAX_EVENTS + " messages in one request", null);
        }

        @Override
        public Response invalid(List<ApiError.FieldError> errors) {
            return answer(400, "invalid messages; nothing was written", errors);
        }

        @Override
        public Response accepted(int events, JsonNode json) {
            return Response.ok(Map.of("success", true)).type(MediaType.APPLICATION_JSON_TYPE).build();
        }

        @Override
        public Response refused(ApiException e) {
            return answer(e.status(), e.body().message(), null);
        }

        private static boolean batch(String call) {
            return call.equals("batch") || call.equals("import");
        }

        private static Optional<String> basicUser(String authorization) {
            if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                return Optional.empty();
            }
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return Optional.of(colon < 0 ? decoded : decoded.substring(0, colon));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }

        private static Response answer(int status, String message, List<ApiError.FieldError> errors) {
            Map<String, Object> body = new HashMap<>(Map.of("success", false, "message", message));
            if (errors != null) {
                body.put("errors", errors);
            }
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
        }
    }
}
