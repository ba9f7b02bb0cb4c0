package dev.spectrum.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Timer;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/events}: the native events API (ingest-api.md). Checks run in the order the
 * contract fixes (key, size, media type, JSON, events); the answer comes only after the commit.
 */
@Path("/v1/events")
@Tag(name = "events")
public class EventsResource {

    public static final int MAX_BODY_BYTES = IngestLimits.MAX_BODY_BYTES;
    private static final Logger LOG = Logger.getLogger(EventsResource.class);

    private final WriteKeys writeKeys;
    private final EventSink sink;
    private final ObjectMapper mapper;
    private final EventValidator validator;
    private final IngestMetrics metrics;

    public EventsResource(IngestSettings settings, EventSink sink, IngestMetrics metrics) {
        this.writeKeys = settings.writeKeys();
        this.sink = sink;
        this.mapper = JsonMapper.strict();
        this.validator = new EventValidator(mapper, Clock.systemUTC());
        this.metrics = metrics;
    }

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send events", description = "One event object, a JSON array of up to 1000 events, or"
            + " {\"events\": [...]}. Answers 202 only after the events are committed in PostgreSQL; a batch with any"
            + " invalid event is refused whole.")
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = EventSchema.class)))
    @APIResponse(responseCode = "202", description = "All events committed", content = @Content(schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "invalid_events or malformed_json; nothing written", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "401", description = "unauthorized: missing or unknown write key", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "413", description = "payload_too_large: over 1000 events or 1 MiB (before or after gzip)", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "415", description = "unsupported_media_type: not application/json", content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "503", description = "unavailable: retry after Retry-After seconds with the same event_ids", content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response send(@HeaderParam("Authorization") String authorization,
                         @HeaderParam("Content-Type") String contentType,
                         @HeaderParam("Content-Encoding") String contentEncoding,
                         @HeaderParam("Content-Length") String contentLength,
                         InputStream body) {
        Timer.Sample request = metrics.startRequest();
        try {
            String source = authorize(authorization);
            checkDeclaredLength(contentLength);
            boolean gzip = gzip(contentEncoding);
            byte[] json = BoundedBody.read(body, gzip, MAX_BODY_BYTES);
            checkMediaType(contentType);
            List<IncomingEvent> events = EventBatch.parse(json, mapper, validator);
            sink.commit(events, source);
            return Response.accepted(new Accepted(events.size())).type(MediaType.APPLICATION_JSON_TYPE).build();
        } catch (ApiException e) {
            metrics.rejected(e.body().error());
            LOG.infof("rejected a request: %s %s (%s)", e.status(), e.body().error(),
                    e.body().errors() == null ? e.body().message() : e.body().errors().size() + " field errors");
            throw e;
        } catch (IOException e) {
            metrics.rejected("malformed_json");
            throw ApiException.malformedJson("the body could not be read: " + e.getMessage());
        } finally {
            metrics.stopRequest(request);
        }
    }

    private String authorize(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw ApiException.unauthorized("send your write key as Authorization: Bearer <write key>");
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("the Authorization header must be Bearer <write key>");
        }
        return writeKeys.nameOf(authorization.substring(7).trim())
                .orElseThrow(() -> ApiException.unauthorized("unknown write key"));
    }

    private static void checkDeclaredLength(String contentLength) {
        if (contentLength != null) {
            try {
                if (Long.parseLong(contentLength.trim()) > MAX_BODY_BYTES) {
                    throw ApiException.tooLarge("the request body is larger than " + MAX_BODY_BYTES
                            + " bytes; send at most " + IngestLimits.MAX_BODY_TEXT + " per request");
                }
            } catch (NumberFormatException ignored) {
                // the HTTP layer refuses malformed lengths; the body is still read with a bound
            }
        }
    }

    private static boolean gzip(String contentEncoding) {
        if (contentEncoding == null || contentEncoding.isBlank() || contentEncoding.trim().equalsIgnoreCase("identity")) {
            return false;
        }
        if (contentEncoding.trim().equalsIgnoreCase("gzip")) {
            return true;
        }
        throw ApiException.unsupportedMediaType("Content-Encoding " + contentEncoding.trim()
                + " is not supported; send the body plain or with Content-Encoding: gzip");
    }

    private static void checkMediaType(String contentType) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json")) {
            throw ApiException.unsupportedMediaType("send the events as Content-Type: application/json"
                    + (type.isEmpty() ? " (the request had no Content-Type)" : " (the request had " + type + ")"));
        }
    }


    /** {@code 202 {"accepted": N}} */
    public record Accepted(int accepted) {
    }

    /** The event object, for the OpenAPI document. */
    @Schema(name = "Event", description = "One event; unknown fields are refused.")
    public record EventSchema(
            @Schema(required = true, maxLength = 200, description = "The event's name, e.g. signup") String type,
            @Schema(maxLength = 200, description = "The identified user; user_id or anonymous_id is required") String user_id,
            @Schema(maxLength = 200, description = "The device or anonymous id") String anonymous_id,
            @Schema(maxLength = 200, description = "The customer account (B2B)") String account_id,
            @Schema(format = "uuid", description = "The dedup key; the server makes one when absent") String event_id,
            @Schema(format = "date-time", description = "RFC 3339 with offset; at most 24 h in the future; default: arrival") String timestamp,
            @Schema(description = "Top-level properties, at most 32 KiB as compact JSON") Map<String, Object> properties,
            @Schema(description = "ip, user_agent, locale, country (ISO 3166-1 alpha-2), region, city") Map<String, String> context) {
    }
}
