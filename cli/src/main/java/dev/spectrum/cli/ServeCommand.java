package dev.spectrum.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.sql.Pipeline;
import dev.spectrum.sql.PipelineRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code spectrum serve} (deploy.md): the ingest service (a child process: its Quarkus jar) plus,
 * in this process, the pipeline schedule, a refresh of every per-definition view after each load,
 * and the definitions of {@code SPECTRUM_DEFINITIONS} applied at start. docs/serve.md.
 */
@Command(name = "serve", description = "Runs the ingest service, the pipeline every SPECTRUM_PIPELINE_EVERY (default 5m; off: none)"
        + " with a refresh of every definition's view, and applies SPECTRUM_DEFINITIONS at start (docker-compose).")
final class ServeCommand implements java.util.concurrent.Callable<Integer> {

    static final String DEFAULT_EVERY = "5m";
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParentCommand
    SpectrumCommand parent;

    private final AtomicReference<PreparedStatement> running = new AtomicReference<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean definitionsApplied;
    private volatile List<String> invalidDefinitions = List.of();
    private volatile List<String> appliedDefinitions = List.of();
    private Path statusFile;
    private PrintWriter log;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = parent.environment();
        String url = env.get("SPECTRUM_DB_URL");
        if (url == null || url.isBlank()) {
            throw new UserError("serve needs SPECTRUM_DB_URL (jdbc:postgresql://host:port/database): it never uses an"
                    + " embedded database, so acknowledged events cannot land in a throwaway server");
        }
        DatabaseSettings owner = DatabaseSettings.fromEnvironment(env);
        DatabaseSettings pipelineLogin = ServeLogins.pipeline(env, owner);
        DatabaseSettings ingestLogin = ServeLogins.ingest(env, owner);
        String everySetting = env.getOrDefault("SPECTRUM_PIPELINE_EVERY", DEFAULT_EVERY).trim();
        // off: no schedule, serve is the ingest service only (the pipeline runs elsewhere, or a benchmark's baseline)
        boolean scheduleOff = everySetting.equals("off");
        Duration every = scheduleOff ? Duration.ofSeconds(30) : Durations.parse(everySetting);
        String definitions = env.get("SPECTRUM_DEFINITIONS");
        Path definitionsPath = definitions == null || definitions.isBlank() ? null : Path.of(definitions).toAbsolutePath().normalize();
        log = parent.spec.commandLine().getOut();

        DataSource dataSource = dataSource(pipelineLogin);
        statusFile = Files.createTempFile("spectrum-serve-status", ".json");
        statusFile.toFile().deleteOnExit();
        writeStatus(dataSource);

        Path home = Path.of(System.getProperty("spectrum.home", ".")).toAbsolutePath().normalize();
        Path jar = env.containsKey("SPECTRUM_INGEST_JAR") ? Path.of(env.get("SPECTRUM_INGEST_JAR"))
                : home.resolve("ingest/target/quarkus-app/quarkus-run.jar");
        int port = Integer.parseInt(env.getOrDefault("QUARKUS_HTTP_PORT", "8080"));
        Process ingest = startIngest(jar, env, ingestLogin, port);
        logLine("serve", Map.of("event", "started", "ingestPort", port, "pipelineEvery", scheduleOff ? "off" : every.toSeconds() + "s",
                "database", pipelineLogin.describe(), "pipelineLogin", pipelineLogin.user(), "ingestLogin", ingestLogin.user()));

        installSignalHandlers();
        // One thread: a run never overlaps the previous one. A run longer than the interval delays
        // the next one, which then starts at once (no burst of missed ticks).
        Thread schedule = new Thread(() -> {
            long next = System.nanoTime();
            while (!stopping.get()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                next = System.nanoTime() + every.toNanos();
                if (scheduleOff && definitionsApplied) {
                    return;   // nothing left to do: the definitions are applied, no pipeline runs
                }
                tick(dataSource, definitionsPath, pipelineLogin, !scheduleOff);
            }
        }, "spectrum-pipeline");
        schedule.setDaemon(true);
        schedule.start();

        Thread watchChild = new Thread(() -> {
            try {
                int code = ingest.waitFor();
                if (!stopping.get()) {
                    logLine("serve", Map.of("event", "ingest-exited", "exitCode", code));
                    stopping.set(true);
                    stopped.countDown();
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "spectrum-ingest-watch");
        watchChild.setDaemon(true);
        watchChild.start();

        stopped.await();
        boolean childDied = !ingest.isAlive();
        // Stop taking requests first (the ingest service drains on SIGTERM), then cancel the batch.
        ingest.destroy();
        PreparedStatement current = running.get();
        if (current != null) {
            try {
                current.cancel();   // the current batch's transaction rolls back whole
            } catch (SQLException ignored) {
                // the run ends anyway when its connection closes
            }
        }
        schedule.interrupt();   // a sleep between runs ends; a run in progress was cancelled above
        schedule.join(10_000);
        if (!ingest.waitFor(15, TimeUnit.SECONDS)) {
            ingest.destroyForcibly();
        }
        logLine("serve", Map.of("event", "stopped"));
        return childDied && !signalled ? 1 : 0;
    }

    private volatile boolean signalled;

    private void installSignalHandlers() {
        for (String name : List.of("TERM", "INT")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
                    signalled = true;
                    if (stopping.compareAndSet(false, true)) {
                        logLine("serve", Map.of("event", "stopping", "signal", "SIG" + name));
                    }
                    stopped.countDown();
                });
            } catch (IllegalArgumentException unsupported) {
                // not on this platform
            }
        }
    }

    /** One tick: definitions (until they were applied once), the pipeline and every definition's view (unless the schedule is off). */
    private void tick(DataSource dataSource, Path definitionsPath, DatabaseSettings login, boolean runPipeline) {
        if (stopping.get()) {
            return;
        }
        if (!definitionsApplied) {
            try {
                // the retention settings from the environment, as migrate writes them (data-model.md)
                RetentionSettings.applyFromEnvironment(dataSource, parent.environment(), "serve");
                if (definitionsPath != null) {
                    applyDefinitions(dataSource, definitionsPath);
                }
                definitionsApplied = true;
            } catch (SQLException | IOException | RuntimeException e) {
                logLine("definitions", Map.of("event", "definitions-not-applied", "error", Redaction.error(e.getMessage()),
                        "next", "retried at the next run"));
            }
        }
        if (!runPipeline) {
            writeStatus(dataSource);
            return;
        }
        long started = System.nanoTime();
        Map<String, Object> line = new java.util.LinkedHashMap<>();
        line.put("event", "pipeline-run");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (var call = c.prepareStatement("CALL warehouse.run_pipeline(refresh => true)")) {
                running.set(call);
                try {
                    call.execute();
                } finally {
                    running.set(null);
                }
            } catch (SQLException e) {
                if (stopping.get()) {
                    markCancelled(c);
                }
                throw e;
            }
            List<String> refreshed = new ViewStore(dataSource).refresh(List.of());
            PipelineRun run = Pipeline.latestRun(c).orElseThrow();
            line.put("status", run.status());
            line.put("runId", run.runId());
            line.put("eventsLoaded", run.eventsLoaded());
            line.put("duplicatesSkipped", run.duplicatesSkipped());
            line.put("expiredSkipped", run.expiredSkipped());
            line.put("rawFrom", run.rawFrom());
            line.put("rawTo", run.rawTo());
            line.put("definitionViewsRefreshed", refreshed.size());
        } catch (SQLException | RuntimeException e) {
            line.put("status", stopping.get() ? "cancelled" : "failed");
            line.put("error", Redaction.error(e.getMessage()));
            line.put("next", stopping.get() ? "none: serve is stopping" : "retried at the next tick");
        }
        line.put("seconds", Math.round((System.nanoTime() - started) / 1e6) / 1e3);
        logLine("pipeline", line);
        writeStatus(dataSource);
    }

    /** A run cut short by SIGTERM says so (this session still holds the pipeline's lock, so it is ours). */
    private static void markCancelled(Connection c) {
        try (var st = c.createStatement()) {
            st.execute("UPDATE analytics.pipeline_runs SET status = 'failed', finished_at = clock_timestamp(),"
                    + " error = 'cancelled: spectrum serve stopped; the batch in progress was rolled back'"
                    + " WHERE status = 'running'");
        } catch (SQLException ignored) {
            // the next run marks it interrupted
        }
    }

    /** Applies the folder's definitions (owner serve:PATH) and deletes those serve applied from it before and that it no longer has. */
    private void applyDefinitions(DataSource dataSource, Path path) throws SQLException, IOException {
        String owner = "serve:" + path;
        var found = Definitions.loadEach(path);
        for (String problem : found.problems()) {
            logLine("definitions", Map.of("event", "definition-invalid", "problem", problem, "next", "skipped"));
        }
        invalidDefinitions = List.copyOf(found.problems());
        var store = new ViewStore(dataSource, owner);
        List<String> applied = new ArrayList<>();
        Set<String> keep = new HashSet<>();
        for (var d : found.valid()) {
            try {
                var outcome = d.apply(store);
                keep.add(d.definition().kind() + "/" + d.definition().name());   // as recorded: Funnel/checkout
                applied.add(d.label());
                logLine("definitions", Map.of("event", "definition-applied", "definition", d.label(),
                        "outcome", outcome.name().toLowerCase(java.util.Locale.ROOT), "view", d.viewName().qualified()));
            } catch (ViewStore.Conflict e) {
                invalidDefinitions = append(invalidDefinitions, d.label() + ": " + e.getMessage());
                logLine("definitions", Map.of("event", "definition-invalid", "problem", d.label() + ": " + e.getMessage(), "next", "skipped"));
            }
        }
        // Ours from before, no longer in the folder: deleted. An invalid document keeps its old view
        // only when its name can no longer be read; a valid one that is gone is gone.
        List<String[]> previous = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             var q = c.prepareStatement("SELECT kind, name FROM warehouse.definitions WHERE owner = ? ORDER BY kind, name")) {
            q.setString(1, owner);
            try (var rs = q.executeQuery()) {
                while (rs.next()) {
                    previous.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        for (String[] p : previous) {
            if (keep.contains(p[0] + "/" + p[1])) {
                continue;
            }
            String key = p[0].toLowerCase(java.util.Locale.ROOT) + "/" + p[1];
            var kind = dev.spectrum.definitions.kind.DefinitionKind.named(p[0]);
            boolean deleted = kind.isPresent() && store.delete(kind.get().kindName(), kind.get().shape(), p[1]);
            if (deleted) {
                logLine("definitions", Map.of("event", "definition-deleted", "definition", key,
                        "reason", "no longer in " + path));
            }
        }
        appliedDefinitions = List.copyOf(applied);
    }

    private static List<String> append(List<String> list, String item) {
        List<String> copy = new ArrayList<>(list);
        copy.add(item);
        return List.copyOf(copy);
    }

    /** The status the ingest service's health check and metrics read (ServeStatus in ingest/). */
    private void writeStatus(DataSource dataSource) {
        ObjectNode status = JSON.createObjectNode();
        try (Connection c = dataSource.getConnection()) {
            var run = Pipeline.latestRun(c);
            if (run.isPresent()) {
                status.put("pipelineStatus", run.get().status());
                status.put("pipelineRunId", run.get().runId());
                Instant at = (run.get().finishedAt() != null ? run.get().finishedAt() : run.get().startedAt()).toInstant();
                status.put("pipelineLastRunAt", at.toString());
            } else {
                status.put("pipelineStatus", "none yet");
            }
        } catch (SQLException | RuntimeException e) {
            status.put("pipelineStatus", "unknown: the database does not answer");
        }
        status.put("checkedAt", Instant.now().toString());
        var invalid = status.putArray("invalidDefinitions");
        invalidDefinitions.forEach(invalid::add);
        var applied = status.putArray("appliedDefinitions");
        appliedDefinitions.forEach(applied::add);
        try {
            Path next = statusFile.resolveSibling(statusFile.getFileName() + ".next");
            Files.writeString(next, JSON.writeValueAsString(status));
            Files.move(next, statusFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            logLine("serve", Map.of("event", "status-not-written", "error", DatabaseSettings.firstLine(e.getMessage())));
        }
    }

    private Process startIngest(Path jar, Map<String, String> env, DatabaseSettings login, int port) throws IOException {
        if (!Files.exists(jar)) {
            throw new UserError("the ingest service is not built (" + jar + "): run mvn -q package -DskipTests -pl ingest -am,"
                    + " or set SPECTRUM_INGEST_JAR");
        }
        var builder = new ProcessBuilder(javaCommand(), "-jar", jar.toString()).inheritIO();
        Map<String, String> child = builder.environment();
        // the child's login: the ingest login where the settings give one (deploy.md)
        child.put("SPECTRUM_DB_URL", login.url());
        child.put("SPECTRUM_DB_USER", login.user());
        child.put("SPECTRUM_DB_PASSWORD", login.password());
        child.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        child.put("SPECTRUM_SERVE_STATUS", statusFile.toString());
        child.remove("SPECTRUM_PIPELINE_PASSWORD");
        child.remove("SPECTRUM_READER_PASSWORD");
        child.remove("SPECTRUM_INGEST_PASSWORD");
        child.putIfAbsent("QUARKUS_SHUTDOWN_TIMEOUT", "20s");
        return builder.start();
    }

    private static String javaCommand() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(java) ? java.toString() : "java";
    }

    private static DataSource dataSource(DatabaseSettings login) {
        var ds = new PGSimpleDataSource();
        ds.setURL(login.url());
        ds.setUser(login.user());
        ds.setPassword(login.password());
        ds.setConnectTimeout(5);
        ds.setTcpKeepAlive(true);
        ds.setApplicationName("spectrum-serve");
        return ds;
    }

    /** One JSON object per line; its values never carry keys or event properties (Redaction). */
    private synchronized void logLine(String logger, Map<String, ?> fields) {
        ObjectNode line = JSON.createObjectNode();
        line.put("timestamp", Instant.now().toString());
        line.put("level", "failed".equals(fields.get("status")) || String.valueOf(fields.get("event")).contains("invalid") ? "WARN" : "INFO");
        line.put("loggerName", "spectrum.serve." + logger);
        fields.forEach((k, v) -> line.set(k, JSON.valueToTree(v)));
        log.println(line);
        log.flush();
    }
}
