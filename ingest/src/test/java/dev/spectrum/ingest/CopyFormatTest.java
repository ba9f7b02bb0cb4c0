package dev.spectrum.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Pure units: the COPY text the writer sends, and the write-key setting. */
class CopyFormatTest {

    @Test
    void valuesAreEscapedForCopyTextAndNullsAreBackslashN() {
        var event = new IncomingEvent(UUID.fromString("00000000-0000-4000-8000-000000000001"), "a\tb", null,
                "back\\slash", "line\nfeed\rreturn", OffsetDateTime.parse("2026-11-20T10:15:30Z"),
                "{\"k\": \"\\\\.\"}", "{}");
        String rows = RawEventWriter.copyData(List.of(event), "web", OffsetDateTime.parse("2026-11-20T10:16:00Z")).toString();
        // written out by hand: ten tab-separated fields, one newline-terminated line
        assertThat(rows).isEqualTo("00000000-0000-4000-8000-000000000001\ta\\tb\t\\N\tback\\\\slash\t"
                + "line\\nfeed\\rreturn\t2026-11-20T10:15:30Z\t2026-11-20T10:16:00Z\t{\"k\": \"\\\\\\\\.\"}\t{}\tweb\n");
    }

    @Test
    void textIsSentAsUtf8ByteForByteAsJavaEncodesIt() {
        String text = "caf\u00e9 \u2603 \ud83d\ude00 \u07ff\u0800\uffff end";
        var event = new IncomingEvent(UUID.fromString("00000000-0000-4000-8000-000000000002"), text, null, "u", null,
                OffsetDateTime.parse("2026-11-20T10:15:30Z"), "{\"k\":\"" + text + "\"}", "{}");
        var rows = RawEventWriter.copyData(List.of(event), "w\u00fcb", OffsetDateTime.parse("2026-11-20T10:16:00Z"));
        String expected = "00000000-0000-4000-8000-000000000002\t" + text + "\t\\N\tu\t\\N\t2026-11-20T10:15:30Z\t"
                + "2026-11-20T10:16:00Z\t{\"k\":\"" + text + "\"}\t{}\tw\u00fcb\n";
        assertThat(java.util.Arrays.copyOf(rows.bytes(), rows.length()))
                .isEqualTo(expected.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        // a lone surrogate (validation refuses it) becomes '?', as String.getBytes makes it
        var lone = new IncomingEvent(event.eventId(), "a\ud800b", null, "u", null, event.occurredAt(), "{}", "{}");
        assertThat(RawEventWriter.copyData(List.of(lone), "w", OffsetDateTime.parse("2026-11-20T10:16:00Z")).toString())
                .contains("\ta?b\t");
    }

    @Test
    void anEventWithoutTimestampTakesTheArrivalTime() {
        var event = new IncomingEvent(UUID.randomUUID(), "t", null, "u", null, null, "{}", "{}");
        String rows = RawEventWriter.copyData(List.of(event), "web", OffsetDateTime.parse("2026-11-20T10:16:00.5Z")).toString();
        assertThat(rows.split("\t")[5]).isEqualTo("2026-11-20T10:16:00.5Z");
        assertThat(rows.split("\t")[6]).isEqualTo("2026-11-20T10:16:00.5Z");
    }

    @Test
    void timesAndIdsAreWrittenAsPostgresqlReadsThem() {
        var times = List.of("2026-11-20T10:15:30.123456789+05:30", "0001-01-01T00:00:00-15:59", "9999-12-31T23:59:59.000001+14:00",
                "2026-11-20T10:15:30.1-00:30", "2026-11-20T10:15:30.000100Z");
        var written = List.of("2026-11-20T10:15:30.123456789+05:30", "0001-01-01T00:00:00-15:59", "9999-12-31T23:59:59.000001+14:00",
                "2026-11-20T10:15:30.1-00:30", "2026-11-20T10:15:30.0001Z");
        for (int i = 0; i < times.size(); i++) {
            var event = new IncomingEvent(new UUID(0xfedcba9876543210L, 0x0123456789abcdefL), "t", null, "u", null,
                    OffsetDateTime.parse(times.get(i)), "{}", "{}");
            String[] fields = RawEventWriter.copyData(List.of(event), "w", OffsetDateTime.parse(times.get(i))).toString().split("\t");
            assertThat(fields[0]).isEqualTo("fedcba98-7654-3210-0123-456789abcdef").isEqualTo(event.eventId().toString());
            assertThat(fields[5]).isEqualTo(written.get(i));
            assertThat(OffsetDateTime.parse(fields[5])).isEqualTo(event.occurredAt());
        }
    }

    @Test
    void writeKeysAreNamePairsAndOnlyTheNameComesBack() {
        var keys = WriteKeys.parse("web=k1, mobile = k2");
        assertThat(keys.nameOf("k2")).contains("mobile");
        assertThat(keys.nameOf("k3")).isEmpty();
        assertThat(keys.nameOf("")).isEmpty();
        assertThatThrownBy(() -> WriteKeys.parse("web=k1,broken")).hasMessageContaining("name=key pairs");
        assertThatThrownBy(() -> WriteKeys.parse("web=k1,web=k2")).hasMessageContaining("names key 'web' twice");
    }
}
