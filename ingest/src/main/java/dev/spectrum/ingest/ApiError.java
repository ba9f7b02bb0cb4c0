package dev.spectrum.ingest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/** The native API's error body: {@code {"error": "...", "message": "...", "errors": [...]}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, List<FieldError> errors) {

    /** What is wrong with a field: it is absent though required, or its value breaks a rule. */
    public enum Code {
        MISSING("missing"),
        INVALID("invalid");

        private final String json;

        Code(String json) {
            this.json = json;
        }

        @JsonValue
        public String json() {
            return json;
        }
    }

    /** One invalid field of one event of the batch; {@code code} says missing or invalid. */
    public record FieldError(int index, String field, String message, Code code) {

        /** A field whose value breaks a rule. */
        public FieldError(int index, String field, String message) {
            this(index, field, message, Code.INVALID);
        }

        /** A required field that is absent. */
        public static FieldError missing(int index, String field, String message) {
            return new FieldError(index, field, message, Code.MISSING);
        }
    }

    public static ApiError of(String error, String message) {
        return new ApiError(error, message, null);
    }
}
