package dev.spectrum.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The validator's hand-written readers of timestamps and UUIDs against what they replace, pure:
 * RFC 3339's pattern plus java.time's ISO parser, and the UUID pattern, on hand-picked edges and
 * random mutations of them.
 */
class TimeAndUuidFormsTest {

    private static final Pattern RFC_3339 = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private static final List<String> TIMES = List.of(
            "2026-11-26T10:15:30Z", "2026-11-26t10:15:30z", "2026-11-26 10:15:30Z", "2026-11-26T10:15:30.250+01:00",
            "2026-11-26T10:15:30.123456789-05:30", "2026-11-26T10:15:30.1234567890Z", "2026-11-26T10:15:30.Z",
            "2026-11-26T10:15:30+18:00", "2026-11-26T10:15:30+18:01", "2026-11-26T10:15:30-18:00", "2026-11-26T10:15:30+01:60",
            "2026-11-26T10:15:30-00:00", "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
            "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z",
            "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999+14:00", "2026-11-26T10:15:30", "2026-11-26T10:15:30+0100", "2026-11-26T10:15:30+01",
            "2026-11-26", "2026-11-26T10:15Z", "+2026-11-26T10:15:30Z", "2026-11-26T10:15:30Z ", " 2026-11-26T10:15:30Z",
            "2026-1a-26T10:15:30Z", "2026-11-26T10:15:30.5+01:00x", "2026\u0661-11-26T10:15:30Z", "");

    @Test
    void theTimeReaderAgreesWithThePatternAndJavaTime() {
        int valid = 0;
        for (String time : TIMES) {
            if (agree(time)) {
                valid++;
            }
        }
        assertThat(valid).as("valid times among the edges").isEqualTo(12);
        Random random = new Random(4);
        String digits = "0123456789";
        String others = "TtZz+-:. x";
        for (int i = 0; i < 20_000; i++) {
            char[] time = TIMES.get(random.nextInt(5)).toCharArray();
            int changes = 1 + random.nextInt(3);
            for (int k = 0; k < changes; k++) {
                String from = random.nextInt(4) > 0 ? digits : others;
                time[random.nextInt(time.length)] = from.charAt(random.nextInt(from.length()));
            }
            agree(new String(time));
        }
    }

    /** Asserts the reader gives what the old route gives; true when valid. */
    private static boolean agree(String text) {
        OffsetDateTime expected = null;
        if (RFC_3339.matcher(text).matches()) {
            try {
                expected = OffsetDateTime.parse(text.replace(' ', 'T').replace('t', 'T').replace('z', 'Z'),
                        DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            } catch (DateTimeParseException e) {
                expected = null;
            }
        }
        assertThat(EventValidator.rfc3339(text)).as(text).isEqualTo(expected);
        return expected != null;
    }

    @Test
    void theUuidCheckAgreesWithThePattern() {
        List<String> ids = new ArrayList<>(List.of("3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6f", "3F2B8C1E-6A0D-4C8E-9D4F-1B2A3C4D5E6F",
                "3f2b8c1e6a0d4c8e9d4f1b2a3c4d5e6f", "3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6", "3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6f0",
                "3f2b8c1e-6a0d-4c8e-9d4g-1b2a3c4d5e6f", "{3f2b8c1e-6a0d-4c8e-9d4f-1b2a3c4d5e6f}", ""));
        Random random = new Random(5);
        String alphabet = "0123456789abcdefABCDEFgG-x ";
        for (int i = 0; i < 20_000; i++) {
            char[] id = ids.get(0).toCharArray();
            id[random.nextInt(id.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
            ids.add(new String(id));
        }
        int valid = 0;
        for (String id : ids) {
            boolean expected = UUID_TEXT.matcher(id).matches();
            assertThat(EventValidator.uuid(id) != null).as(id).isEqualTo(expected);
            if (expected) {
                assertThat(EventValidator.uuid(id)).as(id).isEqualTo(java.util.UUID.fromString(id));
            }
            valid += expected ? 1 : 0;
        }
        assertThat(valid).isGreaterThan(2).isLessThan(ids.size());
    }
}
