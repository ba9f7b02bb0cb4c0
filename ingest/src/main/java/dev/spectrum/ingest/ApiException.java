package dev.spectrum.ingest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;

/** A request the native API refuses, with its status and error body (ingest-api.md). */
public class ApiException extends RuntimeException {

    private final int status;
    private final ApiError body;
    private final String retryAfterSeconds;

    private ApiException(int status, ApiError body, String retryAfterSeconds) {
        super(body.error() + ": " + body.message(), null, false, false);
        this.status = status;
        this.body = body;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, ApiError.of("unauthorized", message), null);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, ApiError.of("payload_too_large", message), null);
    }

    public static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, ApiError.of("unsupported_media_type", message), null);
    }

    public static ApiException malformedJson(String message) {
        return new ApiException(400, ApiError.of("malformed_json", message), null);
    }

    public static ApiException invalidEvents(String message, List<ApiError.FieldError> errors) {
        return new ApiException(400, new ApiError("invalid_events", message, errors), null);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, ApiError.of("unavailable", message), String.valueOf(IngestLimits.RETRY_AFTER_SECONDS));
    }

    public int status() {
        return status;
    }

    public ApiError body() {
        return body;
    }

    /** The Retry-After header's value in seconds, or null when the answer has none. */
    public String retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** Turns the exception into its response. */
    @Provider
    public static class Mapper implements ExceptionMapper<ApiException> {
        @Override
        public Response toResponse(ApiException e) {
            var response = Response.status(e.status).type(MediaType.APPLICATION_JSON_TYPE).entity(e.body);
            if (e.retryAfterSeconds != null) {
                response.header("Retry-After", e.retryAfterSeconds);
            }
            return response.build();
        }
    }
}
