package dev.spectrum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spectrum.sql.testing.TestDatabase;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code SPECTRUM_PIPELINE_EVERY=off} (docs/serve.md): the ingest service only; the definitions still applied at start. */
class ServeScheduleOffTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final String KEY = "wk_serve_off_test_51c0";
    static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    Path temp;

    @Test
    void acceptsEventsAppliesTheDefinitionsAndNeverRunsThePipeline() throws Exception {
        Path definitions = Files.createDirectories(temp.resolve("definitions"));
        Files.copy(HOME.resolve("examples/checkout-funnel.yaml"), definitions.resolve("checkout-funnel.yaml"));
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = temp.resolve("serve.log");
        var builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dspectrum.home=" + HOME, "-cp", System.getProperty("java.class.path"), SpectrumCommand.class.getName(), "serve")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(Map.of(
                "SPECTRUM_DB_URL", db.url(),
                "SPECTRUM_DB_USER", TestDatabase.user(),
                "SPECTRUM_DB_PASSWORD", TestDatabase.password(),
                "SPECTRUM_PIPELINE_EVERY", "off",
                "SPECTRUM_DEFINITIONS", definitions.toString(),
                "SPECTRUM_WRITE_KEYS", "test=" + KEY,
                "QUARKUS_HTTP_PORT", String.valueOf(port),
                "QUARKUS_HTTP_HOST", "127.0.0.1"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Process serve = builder.start();
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).GET().build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            for (String type : List.of("signup", "activated")) {
                var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                        .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"event_id\": \"" + UUID.randomUUID() + "\", \"type\": \"" + type
                                + "\", \"user_id\": \"u1\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(db.rows("SELECT kind, name FROM warehouse.definitions")).containsExactly(List.of("Funnel", "checkout")));
            Thread.sleep(3_000);   // a 2-second schedule would have run by now; off runs nothing
            assertThat(db.count("SELECT count(*) FROM staging.raw_events")).isEqualTo(2);
            assertThat(db.count("SELECT count(*) FROM analytics.pipeline_runs")).isZero();
            assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isZero();
        } finally {
            serve.destroy();
            if (!serve.waitFor(30, TimeUnit.SECONDS)) {
                serve.descendants().forEach(ProcessHandle::destroyForcibly);
                serve.destroyForcibly();
            }
        }
        String out = Files.readString(log);
        assertThat(serve.exitValue()).as(out).isZero();
        assertThat(out).contains("\"pipelineEvery\":\"off\"").contains("\"event\":\"definition-applied\"")
                .doesNotContain("\"event\":\"pipeline-run\"");
    }
}
