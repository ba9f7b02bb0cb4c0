package dev.spectrum.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The native API's error body: {@code {"error": "...", "message": "...", "errors": [...]}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, List<FieldError> errors) {

    /** One invalid field of one event of the batch. */
    public record FieldError(int index, String field, String message) {
    }

    public static ApiError of(String error, String message) {
        return new ApiError(error, message, null);
    }
}
