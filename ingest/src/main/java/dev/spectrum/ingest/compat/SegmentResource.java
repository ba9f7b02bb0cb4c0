package dev.spectrum.ingest.compat;

import static dev.spectrum.ingest.compat.CompatEvents.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spectrum.ingest.ApiException;
import dev.spectrum.ingest.EventSink;
import dev.spectrum.ingest.IngestMetrics;
import dev.spectrum.ingest.IngestSettings;
import dev.spectrum.ingest.WriteKeys;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
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

    private final WriteKeys writeKeys;
    private final EventSink sink;
    private final IngestMetrics metrics;
    private final CompatEvents compat = new CompatEvents(dev.spectrum.ingest.JsonMapper.strict());

    public SegmentResource(IngestSettings settings, EventSink sink, IngestMetrics metrics) {
        this.writeKeys = settings.writeKeys();
        this.sink = sink;
        this.metrics = metrics;
    }

    @POST
    @Path("{call: track|identify|page|screen|group|alias|batch|import}")
    @Operation(hidden = true)
    public Response call(@PathParam("call") String call, @HeaderParam("Authorization") String authorization,
                         @HeaderParam("Content-Encoding") String contentEncoding, InputStream body) {
        try {
            JsonNode json = compat.read(body, contentEncoding);
            Optional<String> source = writeKeys.nameOf(basicUser(authorization).orElse(json == null ? null : text(json.get("writeKey"))));
            if (source.isEmpty()) {
                return answer(401, "invalid or missing write key: send it as the HTTP Basic user name", null);
            }
            if (json == null || !json.isObject()) {
                return answer(400, "the body is not a JSON object", null);
            }
            List<JsonNode> messages = new ArrayList<>();
            if (call.equals("batch") || call.equals("import")) {
                json.path("batch").forEach(messages::add);
            } else {
                messages.add(json);
            }
            if (messages.isEmpty()) {
                return answer(400, "the batch is empty", null);
            }
            if (messages.size() > dev.spectrum.ingest.EventBatch.MAX_EVENTS) {
                return answer(413, "more than 1000 messages in one request", null);
            }
            List<ObjectNode> mapped = new ArrayList<>();
            for (JsonNode m : messages) {
                mapped.add(map(m, call.equals("batch") || call.equals("import") ? text(m.get("type")) : call));
            }
            var checked = compat.check(mapped);
            if (!checked.errors().isEmpty()) {
                metrics.rejected("invalid_events");
                return answer(400, "invalid messages; nothing was written", checked.errors());
            }
            sink.commit(checked.events(), source.get());
            return Response.ok(Map.of("success", true)).type(MediaType.APPLICATION_JSON_TYPE).build();
        } catch (ApiException e) {
            metrics.rejected(e.body().error());
            Response.ResponseBuilder r = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("success", false, "message", e.body().message()));
            if (e.status() == 503) {
                r.header("Retry-After", "2");
            }
            return r.build();
        } catch (IOException e) {
            return answer(400, "the body could not be read: " + e.getMessage(), null);
        }
    }

    private ObjectNode map(JsonNode m, String call) {
        String type = call == null ? "track" : call;
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

    private static Response answer(int status, String message, List<dev.spectrum.ingest.ApiError.FieldError> errors) {
        Map<String, Object> body = new HashMap<>(Map.of("success", false, "message", message));
        if (errors != null) {
            body.put("errors", errors);
        }
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
