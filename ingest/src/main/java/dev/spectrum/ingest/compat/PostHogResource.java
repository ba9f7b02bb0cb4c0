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
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * PostHog's capture API (ingest-api.md, Compatible APIs): {@code POST /batch/} and
 * {@code /capture/} with {@code api_key} in the body, gzip or not. Mapping: docs/ingest-compat.md.
 */
@Path("/")
public class PostHogResource {

    /** PostHog's own transport properties, dropped. */
    private static final List<String> TRANSPORT = List.of("$lib", "$lib_version", "$geoip_disable", "distinct_id", "$groups",
            "$anon_distinct_id", "$ip", "$is_server");

    private final WriteKeys writeKeys;
    private final EventSink sink;
    private final IngestMetrics metrics;
    private final CompatEvents compat = new CompatEvents(dev.spectrum.ingest.JsonMapper.strict());

    public PostHogResource(IngestSettings settings, EventSink sink, IngestMetrics metrics) {
        this.writeKeys = settings.writeKeys();
        this.sink = sink;
        this.metrics = metrics;
    }

    @POST
    @Path("{endpoint: batch/?|capture/?|e/?}")
    @Operation(hidden = true)
    public Response capture(@jakarta.ws.rs.PathParam("endpoint") String endpoint,
                            @HeaderParam("Content-Encoding") String contentEncoding, InputStream body) {
        try {
            JsonNode json = compat.read(body, contentEncoding);
            if (json == null || !(json.isObject() || json.isArray())) {
                return error(400, "validation_error", "invalid_payload", "Malformed request data", null);
            }
            List<JsonNode> messages = new ArrayList<>();
            if (json.isArray()) {
                json.forEach(messages::add);
            } else if (json.has("batch")) {
                json.get("batch").forEach(messages::add);
            } else {
                messages.add(json);
            }
            String key = Optional.ofNullable(text(json.get("api_key"))).orElse(text(json.get("token")));
            if (key == null && !messages.isEmpty()) {
                key = Optional.ofNullable(text(messages.get(0).get("api_key"))).orElse(text(messages.get(0).path("properties").get("token")));
            }
            if (key == null || key.isEmpty()) {
                return error(401, "authentication_error", "missing_api_key",
                        "API key not provided. You can find your project API key in your PostHog project settings.", null);
            }
            Optional<String> source = writeKeys.nameOf(key);
            if (source.isEmpty()) {
                metrics.rejected("unauthorized");
                return error(401, "authentication_error", "invalid_api_key",
                        "Project API key invalid. You can find your project API key in your PostHog project settings.", null);
            }
            if (messages.isEmpty()) {
                return error(400, "validation_error", "invalid_payload", "No data found. Make sure to use a POST request.", null);
            }
            if (messages.size() > dev.spectrum.ingest.EventBatch.MAX_EVENTS) {
                return error(413, "validation_error", "payload_too_large", "More than 1000 events in one request.", null);
            }
            List<ObjectNode> mapped = new ArrayList<>();
            messages.forEach(m -> mapped.add(map(m)));
            var checked = compat.check(mapped);
            if (!checked.errors().isEmpty()) {
                metrics.rejected("invalid_events");
                var first = checked.errors().get(0);
                return error(400, "validation_error", "invalid_payload", "Invalid event " + first.index() + ": "
                        + first.field() + " " + first.message(), first.field());
            }
            sink.commit(checked.events(), source.get());
            return Response.ok(Map.of("status", 1)).type(MediaType.APPLICATION_JSON_TYPE).build();
        } catch (ApiException e) {
            metrics.rejected(e.body().error());
            Response r = error(e.status(), e.status() == 503 ? "server_error" : "validation_error", e.body().error(),
                    e.body().message(), null);
            return e.status() == 503 ? Response.fromResponse(r).header("Retry-After", "2").build() : r;
        } catch (IOException e) {
            return error(400, "validation_error", "invalid_payload", "Malformed request data", null);
        }
    }

    private ObjectNode map(JsonNode m) {
        JsonNode properties = m.path("properties");
        ObjectNode props = properties.isObject() ? ((ObjectNode) properties).deepCopy() : compat.mapper().createObjectNode();
        TRANSPORT.forEach(props::remove);
        String distinctId = Optional.ofNullable(text(m.get("distinct_id"))).orElse(text(properties.get("distinct_id")));
        Map<String, String> ctx = new HashMap<>();
        ctx.put("ip", text(properties.get("$ip")));
        return compat.event(text(m.get("event")), distinctId, text(properties.get("$anon_distinct_id")),
                text(properties.path("$groups").get("account")), text(m.get("uuid")), text(m.get("timestamp")), props, ctx);
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
