package dev.spectrum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ./spectrum migrate and ./spectrum pipeline against a fresh, empty database. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpectrumCommandTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.empty();

    record Result(int status, String out, String err) {
    }

    @Test
    @Order(1)
    void migrateAppliesEveryMigrationThenReportsUpToDate() {
        // Every migration the sql module ships, named the way `migrate` lists them (V12__dashboard_views.sql -> "V12 dashboard views").
        List<String> shipped = shippedMigrations();
        // versions may have parts (V2_1__x.sql is version 2.1): the latest by its parts as numbers
        String latest = shipped.stream().map(m -> m.substring(1, m.indexOf(' ')))
                .max(java.util.Comparator.comparing((String v) -> Integer.parseInt(v.split("\\.")[0]))
                        .thenComparing(v -> v.contains(".") ? Integer.parseInt(v.split("\\.")[1]) : -1))
                .orElseThrow();

        Result first = spectrum(env(), "migrate");
        assertThat(first.status()).isZero();
        assertThat(first.out()).contains("applied " + shipped.size() + " migrations, schema version is now " + latest + ".");
        shipped.forEach(m -> assertThat(first.out()).contains(m));

        Result second = spectrum(env(), "migrate");
        assertThat(second.status()).isZero();
        assertThat(second.out()).contains("is up to date at schema version " + latest + ".");
    }

    @Test
    @Order(2)
    void pipelineLoadsAndSaysWhatItDid() throws SQLException {
        RawEvent.of("signup").id("30000000-0000-0000-0000-000000000001").user("cli-1").insertInto(db);
        RawEvent.of("signup").id("30000000-0000-0000-0000-000000000001").user("cli-1").insertInto(db);
        RawEvent.of("page").anon("cli-anon").insertInto(db);

        Result run = spectrum(env(), "pipeline");

        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("loaded 2 events from staging ids 1..3, skipped 1 duplicates");
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(2);

        Result again = spectrum(env(), "pipeline", "--no-refresh");
        assertThat(again.out()).contains("nothing new in staging (loaded through id 3)");
    }

    @Test
    @Order(3)
    void everyKeepsRunningUntilStopped() throws Exception {
        long runsBefore = db.count("SELECT count(*) FROM analytics.pipeline_runs");
        var out = new StringWriter();
        var err = new StringWriter();
        int[] status = {-1};
        Thread loop = new Thread(() -> status[0] = SpectrumCommand.commandLine(env(), new PrintWriter(out), new PrintWriter(err))
                .execute("pipeline", "--every", "1s", "--no-refresh"));
        loop.start();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> db.count("SELECT count(*) FROM analytics.pipeline_runs") >= runsBefore + 2);
        loop.interrupt();
        loop.join(10_000);

        assertThat(status[0]).isZero();
        assertThat(out.toString()).startsWith("Running the pipeline on ").contains("every 1s");
        assertThat(out.toString().lines().filter(l -> l.startsWith("Pipeline run ")).count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(4)
    void aBadDurationIsRefusedWithWhatToWrite() {
        Result result = spectrum(env(), "pipeline", "--every", "5 minutes");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err().strip())
                .isEqualTo("spectrum: '5 minutes' is not a duration: write a whole number and a unit,"
                        + " s, m, h or d (for example 30s, 5m, 1h)");
    }

    @Test
    @Order(5)
    void anUnreachableServerIsOneLineSayingWhere() {
        Result result = spectrum(Map.of("SPECTRUM_DB_URL", "jdbc:postgresql://127.0.0.1:1/nowhere"), "migrate");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).startsWith("spectrum: cannot connect to 127.0.0.1:1/nowhere:");
        assertThat(result.err().strip().lines()).hasSize(1);
    }

    @Test
    @Order(6)
    void aUrlThatIsNotJdbcPostgresqlIsRefused() {
        Result result = spectrum(Map.of("SPECTRUM_DB_URL", "postgres://localhost/x"), "migrate");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).contains("SPECTRUM_DB_URL must be a jdbc:postgresql://host:port/database URL");
    }

    @Test
    @Order(7)
    void aDatabaseMigratedWithDifferentFilesIsRefusedWithWhatToDo() throws SQLException {
        TestDatabase other = TestDatabase.migrated().create("mismatch");
        try {
            other.execute("UPDATE flyway_schema_history SET checksum = 42 WHERE version = '5'");
            Result result = spectrum(Map.of("SPECTRUM_DB_URL", other.url()), "migrate");
            assertThat(result.status()).isEqualTo(1);
            assertThat(result.err()).startsWith("spectrum: the migrations applied to ")
                    .contains("differ from this version's (a migration file was changed after it was applied); use a fresh database");
        } finally {
            other.drop();
        }
    }

    @Test
    @Order(8)
    void applyRefreshAndDeleteTheExampleFunnel() throws SQLException {
        Result applied = spectrum(env(), "apply", "-f", "../examples/");
        assertThat(applied.status()).as(applied.err()).isZero();
        assertThat(applied.out().lines()).hasSize(2)
                .anyMatch(l -> l.startsWith("funnel/checkout created (analytics.funnel_checkout,"))
                .anyMatch(l -> l.startsWith("experiment/new-checkout created (analytics.experiment_new_checkout,"));
        assertThat(spectrum(env(), "apply", "-f", "../examples/checkout-funnel.yaml").out())
                .startsWith("funnel/checkout unchanged");
        assertThat(db.count("SELECT count(*) FROM warehouse.definitions")).isEqualTo(2);

        Result refreshed = spectrum(env(), "refresh", "checkout");
        assertThat(refreshed.out()).startsWith("Refreshed analytics.funnel_checkout in ");
        assertThat(spectrum(env(), "refresh").out()).startsWith("Refreshed analytics.experiment_new_checkout, analytics.funnel_checkout in ");
        assertThat(spectrum(env(), "refresh", "nope").err()).contains("no applied definition is named nope");

        Result deleted = spectrum(env(), "delete", "-f", "../examples/");
        assertThat(deleted.out().lines()).containsExactlyInAnyOrder(
                "funnel/checkout deleted (analytics.funnel_checkout dropped)",
                "experiment/new-checkout deleted (analytics.experiment_new_checkout dropped)");
        assertThat(db.value("SELECT to_regclass('analytics.funnel_checkout') IS NULL", Boolean.class)).isTrue();
    }

    @Test
    @Order(9)
    void anInvalidDocumentStopsTheWholeApply(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("a-good.yaml"), """
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: good}
                spec:
                  spectrumRef: {name: x}
                  steps: [{event: a}, {event: b}]
                """);
        java.nio.file.Files.writeString(dir.resolve("b-bad.yaml"), """
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: bad}
                spec:
                  spectrumRef: {name: x}
                  steps: [{event: a}, {event: b}]
                  exclusions: [{event: c, afterStep: 1, beforeStep: 3}]
                """);
        Result result = spectrum(env(), "apply", "-f", dir.toString());
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).startsWith("spectrum: nothing applied; fix these first:")
                .contains("b-bad.yaml: spec.exclusions[0]: afterStep 1 and beforeStep 3 must be steps of this funnel (1 to 2)");
        assertThat(db.count("SELECT count(*) FROM warehouse.definitions")).isZero();
    }

    @Test
    @Order(10)
    void asRootTheEmbeddedServerIsRefusedInOneLineThatSaysWhatToDo() {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "runs as root only");
        Result result = spectrum(Map.of("SPECTRUM_EMBEDDED", "1"), "migrate");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err().strip()).isEqualTo("spectrum: no PostgreSQL answers on localhost:5432, and the embedded one"
                + " cannot run as root: start a server there, or set SPECTRUM_DB_URL (and SPECTRUM_DB_USER, SPECTRUM_DB_PASSWORD)");
    }

    @Test
    @Order(11)   // last: the retention drops the months of the events above
    void aRunSaysHowManyEventsWereOlderThanTheEventRetention() throws SQLException {
        db.execute("SELECT warehouse.set_setting('event_retention', '40d')");
        var old = RawEvent.of("page").user("cli-1").at(java.time.OffsetDateTime.now().minusDays(60)).insertInto(db);
        long id = db.count("SELECT max(id) FROM staging.raw_events");
        Result expired = spectrum(env(), "pipeline", "--no-refresh");
        db.execute("SELECT warehouse.set_setting('event_retention', 'off')");
        assertThat(expired.status()).as(expired.err()).isZero();
        assertThat(expired.out()).contains("loaded 0 events from staging ids " + id + ".." + id
                + ", skipped 0 duplicates and 1 events older than the event retention");
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events WHERE event_id = '" + old.eventId() + "'")).isZero();
        assertThat(db.count("SELECT count(*) FROM warehouse.loaded_events WHERE event_id = '" + old.eventId() + "'")).isEqualTo(1);
    }

    private static Map<String, String> env() {
        return Map.of("SPECTRUM_DB_URL", db.url(),
                "SPECTRUM_DB_USER", TestDatabase.user(),
                "SPECTRUM_DB_PASSWORD", TestDatabase.password());
    }

    private static Result spectrum(Map<String, String> env, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int status = SpectrumCommand.commandLine(env, new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(status, out.toString(), err.toString());
    }

    private static List<String> shippedMigrations() {
        Path folder = Path.of("..", "sql", "src", "main", "resources", "db", "migration");
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("V\\d+(_\\d+)?__.+\\.sql"))
                    .map(n -> {
                        String[] parts = n.substring(0, n.length() - 4).split("__", 2);
                        return parts[0].replace('_', '.') + " " + parts[1].replace('_', ' ');
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + folder.toAbsolutePath(), e);
        }
    }
}
