package dev.spectrum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spectrum.sql.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} with the component logins (deploy.md, docs/serve.md "Logins"): {@code migrate}
 * creates them from their passwords, {@code serve} runs the ingest child as the ingest login and
 * the schedule and the definitions as the pipeline login, and nothing logs in as the owner
 * ({@code SPECTRUM_DB_USER} names a role that does not exist). The test server trusts local
 * logins, so what is checked is who the connections are, not the passwords.
 */
class ServeLoginsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.empty();

    static final String SUFFIX = Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
    static final String INGEST = "spectrum_t_ingest_" + SUFFIX;
    static final String PIPELINE = "spectrum_t_pipeline_" + SUFFIX;
    static final String READER = "spectrum_t_reader_" + SUFFIX;
    static final String KEY = "wk_serve_logins_test_7d2e";
    static final Path HOME = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterAll
    static void dropLogins() throws Exception {
        db.drop();   // first: nothing in it may still hang on the logins
        for (String login : List.of(INGEST, PIPELINE, READER)) {
            TestDatabase.dropLogin(login);
        }
    }

    @Test
    void migrateCreatesTheLoginsAndServeRunsAsThemOnly() throws Exception {
        // migrate as the owner, with the three passwords: the logins, each a member of its role only
        var out = new StringWriter();
        var err = new StringWriter();
        Map<String, String> migrateEnv = Map.of(
                "SPECTRUM_DB_URL", db.url(),
                "SPECTRUM_DB_USER", TestDatabase.user(),
                "SPECTRUM_DB_PASSWORD", TestDatabase.password(),
                "SPECTRUM_INGEST_USER", INGEST, "SPECTRUM_INGEST_PASSWORD", "ingest-pw-1",
                "SPECTRUM_PIPELINE_USER", PIPELINE, "SPECTRUM_PIPELINE_PASSWORD", "pipeline-pw-1",
                "SPECTRUM_READER_USER", READER, "SPECTRUM_READER_PASSWORD", "reader-pw-1");
        int migrated = SpectrumCommand.commandLine(migrateEnv, new PrintWriter(out), new PrintWriter(err)).execute("migrate");
        assertThat(migrated).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("Login " + INGEST + " (member of spectrum_ingest) created.")
                .contains("Login " + PIPELINE + " (member of spectrum_pipeline) created.")
                .contains("Login " + READER + " (member of spectrum_reader) created.");
        assertThat(db.rows("SELECT u.rolname, r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid"
                + " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname IN ('" + INGEST + "', '" + PIPELINE + "', '" + READER + "')"
                + " ORDER BY 1")).containsExactly(
                List.of(INGEST, "spectrum_ingest"), List.of(PIPELINE, "spectrum_pipeline"), List.of(READER, "spectrum_reader"));

        Path definitions = Files.createDirectories(temp.resolve("definitions"));
        Files.copy(HOME.resolve("examples/checkout-funnel.yaml"), definitions.resolve("checkout-funnel.yaml"));

        // every session on the database, seen while serve runs (the pipeline's connections last one run)
        Set<String> sessions = new ConcurrentSkipListSet<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = new Thread(() -> {
            try (Connection c = DriverManager.getConnection(db.url(), TestDatabase.user(), TestDatabase.password());
                 var q = c.prepareStatement("SELECT coalesce(application_name, ''), usename FROM pg_stat_activity"
                         + " WHERE datname = ? AND backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
                q.setString(1, db.name());
                while (watching.get()) {
                    try (var rs = q.executeQuery()) {
                        while (rs.next()) {
                            sessions.add(rs.getString(1) + " as " + rs.getString(2));
                        }
                    }
                    Thread.sleep(10);
                }
            } catch (Exception e) {
                sessions.add("watcher failed: " + e);
            }
        }, "pg-stat-activity-watch");
        watcher.setDaemon(true);
        watcher.start();

        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = temp.resolve("serve.log");
        var builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dspectrum.home=" + HOME, "-cp", System.getProperty("java.class.path"), SpectrumCommand.class.getName(), "serve")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.putAll(new HashMap<>(Map.of(
                "SPECTRUM_DB_URL", db.url(),
                // the owner login is not used at all: it does not even exist
                "SPECTRUM_DB_USER", "spectrum_t_no_such_owner_" + SUFFIX,
                "SPECTRUM_DB_PASSWORD", "unused",
                "SPECTRUM_INGEST_USER", INGEST, "SPECTRUM_INGEST_PASSWORD", "ingest-pw-1",
                "SPECTRUM_PIPELINE_USER", PIPELINE, "SPECTRUM_PIPELINE_PASSWORD", "pipeline-pw-1")));
        env.putAll(Map.of(
                "SPECTRUM_PIPELINE_EVERY", "2s",
                "SPECTRUM_DEFINITIONS", definitions.toString(),
                "SPECTRUM_WRITE_KEYS", "test=" + KEY,
                "QUARKUS_HTTP_PORT", String.valueOf(port),
                "QUARKUS_HTTP_HOST", "127.0.0.1"));
        Process serve = builder.start();
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> get(port, "/q/health/ready").statusCode() == 200);

            // u1 signs up and activates; anon-9 views a page, then signs up as u2
            List<String> ids = List.of(post(port, "u1", null, "signup"), post(port, "u1", null, "activated"),
                    post(port, null, "anon-9", "page_view"), post(port, "u2", "anon-9", "signup"));

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(db.rows("SELECT event_id::text FROM warehouse.fact_events ORDER BY 1"))
                        .containsExactlyInAnyOrderElementsOf(ids.stream().map(List::of).toList());
                // a standard view: one session each, the anonymous page view in u2's
                assertThat(db.rows("SELECT person, count(*)::text FROM analytics.mv_sessions GROUP BY 1 ORDER BY 1"))
                        .containsExactly(List.of("u1", "1"), List.of("u2", "1"));
                assertThat(db.rows("SELECT person, event_type FROM warehouse.event_stream WHERE person = 'u2' ORDER BY occurred_at"))
                        .containsExactly(List.of("u2", "page_view"), List.of("u2", "signup"));
                // the definition's view, refreshed after the load: both signed up, u1 activated
                assertThat(db.count("SELECT coalesce(max(persons), 0)::bigint FROM analytics.funnel_checkout WHERE step = 1")).isEqualTo(2);
                assertThat(db.count("SELECT coalesce(max(persons), 0)::bigint FROM analytics.funnel_checkout WHERE step = 2")).isEqualTo(1);
            });
            // the definition applied and refreshed by the pipeline login; the health details read
            // the last run with it (the ingest login cannot read analytics.pipeline_runs)
            assertThat(db.rows("SELECT kind, name FROM warehouse.definitions")).containsExactly(List.of("Funnel", "checkout"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(get(port, "/q/health").body()).contains("\"lastRunStatus\": \"succeeded\""));
            // let a few more runs pass under the watcher
            long runs = db.count("SELECT count(*) FROM analytics.pipeline_runs");
            await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM analytics.pipeline_runs") >= runs + 2);
        } finally {
            watching.set(false);
            watcher.join(5_000);
            serve.destroy();
            if (!serve.waitFor(30, TimeUnit.SECONDS)) {
                serve.descendants().forEach(ProcessHandle::destroyForcibly);
                serve.destroyForcibly();
            }
        }
        assertThat(serve.exitValue()).as(Files.readString(log)).isZero();

        // serve's connections are exactly its two logins; the owner (and postgres) only this test's own
        Set<String> serves = new TreeSet<>();
        for (String s : sessions) {
            if (s.startsWith("spectrum-")) {
                serves.add(s);
            }
        }
        assertThat(serves).as("all sessions: " + sessions)
                .containsExactlyInAnyOrder("spectrum-ingest as " + INGEST, "spectrum-serve as " + PIPELINE);
        // (a session shows no application_name while it is still starting up)
        assertThat(sessions).as("every session on the database").allSatisfy(s ->
                assertThat(s).isIn("spectrum-ingest as " + INGEST, " as " + INGEST, "spectrum-serve as " + PIPELINE, " as " + PIPELINE,
                        "PostgreSQL JDBC Driver as " + TestDatabase.user(), " as " + TestDatabase.user()));
        assertThat(Files.readString(log)).contains("\"ingestLogin\":\"" + INGEST + "\"").contains("\"pipelineLogin\":\"" + PIPELINE + "\"")
                .doesNotContain("ingest-pw-1").doesNotContain("pipeline-pw-1").doesNotContain(KEY);
    }

    private String post(int port, String user, String anonymous, String type) throws Exception {
        String id = UUID.randomUUID().toString();
        String body = "{\"event_id\": \"" + id + "\", \"type\": \"" + type + "\""
                + (user == null ? "" : ", \"user_id\": \"" + user + "\"")
                + (anonymous == null ? "" : ", \"anonymous_id\": \"" + anonymous + "\"") + "}";
        var response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        Thread.sleep(20);   // distinct timestamps: the order above is the order in the stream
        return id;
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
