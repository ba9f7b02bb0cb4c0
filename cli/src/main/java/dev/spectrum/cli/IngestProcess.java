package dev.spectrum.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** The ingest service run as a child process (its built jar), for the demo. */
final class IngestProcess implements AutoCloseable {

    final String url;
    final String writeKey = "wk_demo_" + UUID.randomUUID().toString().replace("-", "");
    final Path log;
    private final Process process;

    IngestProcess(Path home, DatabaseSettings database, String jdbcUrl) throws IOException, InterruptedException {
        Path jar = home.resolve("ingest/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new UserError("the ingest service is not built (" + jar + "): run mvn -q package -DskipTests -pl ingest -am");
        }
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        url = "http://127.0.0.1:" + port;
        log = Files.createTempFile("spectrum-demo-ingest", ".log");
        var builder = new ProcessBuilder("java", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("SPECTRUM_DB_URL", jdbcUrl);
        env.put("SPECTRUM_DB_USER", database.user());
        env.put("SPECTRUM_DB_PASSWORD", database.password());
        env.put("SPECTRUM_WRITE_KEYS", "demo=" + writeKey);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        process = builder.start();
        waitUntilReady();
    }

    private void waitUntilReady() throws InterruptedException, IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new UserError("the ingest service stopped while starting; see " + log);
            }
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new UserError("the ingest service did not become ready within 90 s; see " + log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
