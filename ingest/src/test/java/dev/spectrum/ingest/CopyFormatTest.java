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
        String rows = RawEventWriter.copyData(List.of(event), "web", OffsetDateTime.parse("2026-11-20T10:16:00Z"));
        // written out by hand: ten tab-separated fields, one newline-terminated line
        assertThat(rows).isEqualTo("00000000-0000-4000-8000-000000000001\ta\\tb\t\\N\tback\\\\slash\t"
                + "line\\nfeed\\rreturn\t2026-11-20T10:15:30Z\t2026-11-20T10:16Z\t{\"k\": \"\\\\\\\\.\"}\t{}\tweb\n");
    }

    @Test
    void anEventWithoutTimestampTakesTheArrivalTime() {
        var event = new IncomingEvent(UUID.randomUUID(), "t", null, "u", null, null, "{}", "{}");
        String rows = RawEventWriter.copyData(List.of(event), "web", OffsetDateTime.parse("2026-11-20T10:16:00.5Z"));
        assertThat(rows.split("\t")[5]).isEqualTo("2026-11-20T10:16:00.500Z");
        assertThat(rows.split("\t")[6]).isEqualTo("2026-11-20T10:16:00.500Z");
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
