package dev.spectrum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./spectrum sql -f PATH} prints, without a database, a header line per definition and
 * then exactly its SQL: here compared with the golden files the definitions module commits. The
 * database settings point at a port where nothing listens, so any attempt to connect would fail.
 */
class SqlCommandTest {

    private static final Map<String, String> NO_DATABASE = Map.of("SPECTRUM_DB_URL", "jdbc:postgresql://127.0.0.1:9/nothing-here");
    private static final Path GOLDEN = Path.of("../definitions/src/test/resources/golden/sql");

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int status = SpectrumCommand.commandLine(NO_DATABASE, new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void printsEachDefinitionsHeaderAndExactlyItsSqlWithoutADatabase() throws Exception {
        Result result = run("sql", "-f", "../examples");
        assertThat(result.err()).isEmpty();
        assertThat(result.status()).isZero();
        // examples/ in file order: checkout-experiment.yaml, then checkout-funnel.yaml
        String experiment = Files.readString(GOLDEN.resolve("experiment-new-checkout.sql"), StandardCharsets.UTF_8);
        String funnel = Files.readString(GOLDEN.resolve("funnel-checkout.sql"), StandardCharsets.UTF_8);
        assertThat(result.out()).isEqualTo(
                "-- Experiment new-checkout \u2192 analytics.experiment_new_checkout\n" + experiment
                        + "-- Funnel checkout \u2192 analytics.funnel_checkout\n" + funnel);
        // the SQL after the header is what the sqlHash is the SHA-256 of
        String printed = result.out().substring(result.out().indexOf('\n') + 1, result.out().indexOf("-- Funnel"));
        assertThat(sha256(printed)).isEqualTo(sha256(experiment)).hasSize(64);
        assertThat(printed).startsWith("CREATE MATERIALIZED VIEW analytics.\"experiment_new_checkout\" AS\nWITH ");
    }

    @Test
    void anInvalidDocumentPrintsNothingAndSaysWhatToFix(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a-good.yaml"), """
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: fine}
                spec:
                  spectrumRef: {name: prod}
                  steps: [{event: a}, {event: b}]
                """);
        Files.writeString(dir.resolve("b-bad.yaml"), """
                apiVersion: spectrum.dev/v1alpha1
                kind: Experiment
                metadata: {name: bad}
                spec:
                  spectrumRef: {name: prod}
                  variants: [{name: a, weight: 1}, {name: b, weight: 1}]
                  metrics: [{name: m, type: count, event: e}]
                  refresh: {schedule: every day}
                """);
        Result result = run("sql", "-f", dir.toString());
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("nothing printed; fix these first:")
                .contains("b-bad.yaml: spec.refresh.schedule: 'every day' is not a cron schedule with five fields");
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
