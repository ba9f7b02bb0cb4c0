package dev.spectrum.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Field errors say whether a field is missing or invalid by their code, not by their wording. */
class FieldErrorCodesTest {

    static List<ApiError.FieldError> errors(String json) throws Exception {
        var mapper = JsonMapper.strict();
        List<ApiError.FieldError> errors = new ArrayList<>();
        new EventValidator(mapper, Clock.systemUTC()).validate(0, mapper.readTree(json), errors);
        return errors;
    }

    @Test
    void absentRequiredFieldsAreMissing() throws Exception {
        assertThat(errors("{\"user_id\": \"u\"}")).extracting(ApiError.FieldError::field, ApiError.FieldError::code)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("type", ApiError.Code.MISSING));
        assertThat(errors("{\"type\": \"t\", \"user_id\": \"\"}")).extracting(ApiError.FieldError::field, ApiError.FieldError::code)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("user_id", ApiError.Code.MISSING));
    }

    @Test
    void valuesThatBreakARuleAreInvalid() throws Exception {
        assertThat(errors("{\"type\": 5, \"user_id\": \"u\", \"event_id\": \"nope\", \"extra\": 1}"))
                .extracting(ApiError.FieldError::field, ApiError.FieldError::code)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("extra", ApiError.Code.INVALID),
                        org.assertj.core.groups.Tuple.tuple("type", ApiError.Code.INVALID),
                        org.assertj.core.groups.Tuple.tuple("event_id", ApiError.Code.INVALID));
        assertThat(errors("{\"type\": \"\", \"user_id\": \"u\"}")).extracting(ApiError.FieldError::code)
                .containsExactly(ApiError.Code.INVALID);
    }

    @Test
    void theCodeTravelsInTheErrorBody() throws Exception {
        String body = JsonMapper.strict().writeValueAsString(ApiError.FieldError.missing(3, "type", "is required"));
        assertThat(body).isEqualTo("{\"index\":3,\"field\":\"type\",\"message\":\"is required\",\"code\":\"missing\"}");
    }
}
