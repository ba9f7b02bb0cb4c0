package dev.spectrum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spectrum.sql.testing.TcpProxy;
import dev.spectrum.sql.testing.TestDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spectrum serve} end to end (deploy.md): a real serve process (this JVM's classpath, the
 * built ingest jar as its child) on a fresh database behind a TCP proxy, a definitions folder, a
 * 2-second schedule; events through HTTP; an outage; SIGTERM during a run; a restart with a file
 * removed.
 */
class ServeTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final String KEY = "wk_serve_test_secret_4f1c";
    static final String PROPERTY_SECRET = "property-value-never-logged-93a1";
    static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> acknowledged = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();

    /** A failed assertion must not leave a serve (and its ingest child) running. */
    @org.junit.jupiter.api.AfterEach
    void stopEveryServe() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }
    }

    @Test
    void servesLoadsRecoversStopsCleanlyAndFollowsTheFolder() throws Exception {
        Path definitions = Files.createDirectories(temp.resolve("definitions"));
        Files.copy(HOME.resolve("examples/checkout-funnel.yaml"), definitions.resolve("checkout-funnel.yaml"));
        Files.copy(HOME.resolve("examples/checkout-experiment.yaml"), definitions.resolve("checkout-experiment.yaml"));
        Files.writeString(definitions.resolve("broken.yaml"), """
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: Not_A_Dns_Label}
                spec: {spectrumRef: {name: prod}, steps: [{event: a}, {event: b}]}
                """);
        // a definition someone else applied (./spectrum apply): serve leaves it alone
        Path other = Files.createDirectories(temp.resolve("other"));
        Files.writeString(other.resolve("other.yaml"), """
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: someone-elses}
                spec: {spectrumRef: {name: prod}, steps: [{event: signup}, {event: purchase}]}
                """);
        var applyOut = new StringWriter();
        int applied = SpectrumCommand.commandLine(Map.of("SPECTRUM_DB_URL", db.url()), new PrintWriter(applyOut),
                new PrintWriter(new StringWriter())).execute("apply", "-f", other.toString());
        assertThat(applied).as(applyOut.toString()).isZero();

        try (var proxy = new TcpProxy(5432)) {
            String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + db.name();
            Serve serve = start(url, definitions, "first");

            // events: one identified user; one anonymous visitor identified later
            post(serve, event("u1", null, "signup", "{}"));
            post(serve, event("u1", null, "activated", "{}"));
            post(serve, event(null, "anon-7", "page_view", "{\"secret\": \"" + PROPERTY_SECRET + "\"}"));
            post(serve, event("u2", "anon-7", "signup", "{}"));
            post(serve, event("u1", null, "experiment_exposure", "{\"experiment\": \"new-checkout\", \"variant\": \"control\"}"));
            post(serve, event("u2", null, "experiment_exposure", "{\"experiment\": \"new-checkout\", \"variant\": \"treatment\"}"));
            post(serve, event("u2", null, "purchase", "{\"revenue\": 12.5}"));

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(7);
                assertThat(db.rows("SELECT DISTINCT person FROM warehouse.event_stream ORDER BY 1"))
                        .containsExactly(List.of("u1"), List.of("u2"));   // anon-7's page view is u2's
                assertThat(db.rows("SELECT DISTINCT person FROM analytics.mv_sessions ORDER BY 1"))
                        .containsExactly(List.of("u1"), List.of("u2"));
                assertThat(db.count("SELECT coalesce(max(persons), 0)::bigint FROM analytics.funnel_checkout WHERE step = 1")).isEqualTo(2);
                assertThat(db.count("SELECT coalesce(sum(persons), 0)::bigint FROM analytics.experiment_new_checkout"
                        + " WHERE metric = 'purchase_rate' AND variant = 'treatment'")).isEqualTo(1);
            });
            assertThat(db.rows("SELECT kind, name, owner FROM warehouse.definitions ORDER BY name")).containsExactly(
                    List.of("Funnel", "checkout", "serve:" + definitions),
                    List.of("Experiment", "new-checkout", "serve:" + definitions),
                    java.util.Arrays.asList("Funnel", "someone-elses", null));

            // health: ingest ready; the pipeline's last run and the invalid definition in the details
            assertThat(get(serve, "/q/health/ready").statusCode()).isEqualTo(200);
            String health = get(serve, "/q/health").body();
            assertThat(health).contains("\"spectrum-pipeline\"").contains("\"lastRunStatus\": \"succeeded\"")
                    .contains("lastRunAgeSeconds").contains("broken.yaml: metadata.name: 'Not_A_Dns_Label' must be a DNS label");
            assertThat(get(serve, "/q/metrics").body()).contains("spectrum_pipeline_last_run_succeeded 1.0")
                    .contains("spectrum_pipeline_last_run_age_seconds");

            // PostgreSQL away for a while, then back: serve recovers by itself, nothing acknowledged is lost
            proxy.stop();
            var during = http.send(request(serve, "/v1/events", event("u3", null, "signup", "{}")),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(during.statusCode()).isEqualTo(503);
            await().atMost(Duration.ofSeconds(30)).until(() -> serve.log().contains("\"status\":\"failed\""));
            await().atMost(Duration.ofSeconds(30)).until(() -> get(serve, "/q/health/ready").statusCode() == 503);
            assertThat(get(serve, "/q/health").body()).contains("spectrum-pipeline");
            proxy.start();
            List<String> afterOutage = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                afterOutage.add(postWithRetry(serve, event("u3", null, "page_view", "{}")));
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(acknowledged.size()));
            assertThat(db.rows("SELECT event_id::text FROM warehouse.fact_events ORDER BY 1"))
                    .containsExactlyInAnyOrderElementsOf(acknowledged.stream().map(List::of).toList());

            // SIGTERM during a run: exit 0 within 30 s, the batch rolled back whole, the next serve continues
            db.execute("INSERT INTO staging.raw_events (event_id, event_type, user_id, occurred_at, source)"
                    + " SELECT gen_random_uuid(), 'bulk', 'bulk-' || (g % 500), now() - interval '1 day' + g * interval '1 ms', 'bench'"
                    + " FROM generate_series(1, 300000) g");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    db.count("SELECT count(*) FROM analytics.pipeline_runs WHERE status = 'running'"
                            + " AND started_at > (SELECT max(received_at) FROM staging.raw_events)") > 0);
            long sent = System.nanoTime();
            serve.process.destroy();
            assertThat(serve.process.waitFor(30, TimeUnit.SECONDS)).as("serve exits within 30 s").isTrue();
            assertThat(serve.process.exitValue()).isZero();
            assertThat((System.nanoTime() - sent) / 1e9).isLessThan(30);
            assertThat(db.count("SELECT count(*) FROM analytics.pipeline_runs WHERE status = 'running'")).isZero();
            // consistent: every fact is a loaded staging row, and the watermark covers exactly what is loaded
            assertThat(db.count("SELECT count(*) FROM warehouse.fact_events f"
                    + " WHERE NOT EXISTS (SELECT 1 FROM staging.raw_events r WHERE r.event_id = f.event_id)")).isZero();

            // restart with the funnel's file removed: its view is deleted; the other owner's stays
            Files.delete(definitions.resolve("checkout-funnel.yaml"));
            Serve second = start(url, definitions, "second");
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(acknowledged.size() + 300_000));
            assertThat(db.rows("SELECT kind, name FROM warehouse.definitions ORDER BY name")).containsExactly(
                    List.of("Experiment", "new-checkout"), List.of("Funnel", "someone-elses"));
            assertThat(db.count("SELECT count(*) FROM pg_matviews WHERE schemaname = 'analytics' AND matviewname = 'funnel_checkout'")).isZero();
            assertThat(second.log()).contains("\"event\":\"definition-deleted\"").contains("funnel/checkout");
            second.process.destroy();
            assertThat(second.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(second.process.exitValue()).isZero();

            // one JSON line per run; never the write key or an event property
            for (Serve s : List.of(serve, second)) {
                assertThat(s.log()).doesNotContain(KEY).doesNotContain(PROPERTY_SECRET);
                assertThat(s.log().lines().filter(l -> l.contains("\"event\":\"pipeline-run\""))).isNotEmpty()
                        .allSatisfy(l -> assertThat(l).startsWith("{").endsWith("}"));
            }
        }
    }

    @Test
    void refusesToStartWithoutADatabaseUrl() {
        var err = new StringWriter();
        int status = SpectrumCommand.commandLine(Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(err)).execute("serve");
        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).contains("serve needs SPECTRUM_DB_URL").contains("never uses an embedded database");
    }

    record Serve(Process process, Path logFile, int port) {
        String log() throws IOException {
            return Files.readString(logFile);
        }
    }

    private Serve start(String url, Path definitions, String label) throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = temp.resolve("serve-" + label + ".log");
        var builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dspectrum.home=" + HOME, "-cp", System.getProperty("java.class.path"), SpectrumCommand.class.getName(), "serve")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.putAll(new HashMap<>(Map.of(
                "SPECTRUM_DB_URL", url,
                "SPECTRUM_DB_USER", TestDatabase.user(),
                "SPECTRUM_DB_PASSWORD", TestDatabase.password(),
                "SPECTRUM_PIPELINE_EVERY", "2s",
                "SPECTRUM_DEFINITIONS", definitions.toString(),
                "SPECTRUM_WRITE_KEYS", "test=" + KEY,
                "QUARKUS_HTTP_PORT", String.valueOf(port),
                "QUARKUS_HTTP_HOST", "127.0.0.1")));
        Serve serve = new Serve(builder.start(), log, port);
        started.add(serve.process());
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> get(serve, "/q/health/ready").statusCode() == 200);
        return serve;
    }

    private String event(String user, String anonymous, String type, String properties) {
        String id = UUID.randomUUID().toString();
        return "{\"event_id\": \"" + id + "\", \"type\": \"" + type + "\""
                + (user == null ? "" : ", \"user_id\": \"" + user + "\"")
                + (anonymous == null ? "" : ", \"anonymous_id\": \"" + anonymous + "\"")
                + ", \"properties\": " + properties + "}";
    }

    private static String idOf(String event) {
        return event.substring(event.indexOf("\"event_id\": \"") + 13, event.indexOf("\"event_id\": \"") + 13 + 36);
    }

    private void post(Serve serve, String event) throws Exception {
        var response = http.send(request(serve, "/v1/events", event), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        acknowledged.add(idOf(event));
    }

    /** As a client does: 503 means retry with the same event_id. */
    private String postWithRetry(Serve serve, String event) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var response = http.send(request(serve, "/v1/events", event), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
                acknowledged.add(idOf(event));
                return idOf(event);
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            Thread.sleep(500);
        }
        throw new AssertionError("the ingest service did not accept events again within 30 s of the database's return");
    }

    private HttpRequest request(Serve serve, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.port() + path))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> get(Serve serve, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
