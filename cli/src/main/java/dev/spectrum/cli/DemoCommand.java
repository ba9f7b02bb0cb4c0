package dev.spectrum.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.sql.Migrations;
import dev.spectrum.sql.Pipeline;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./spectrum demo}: the whole product in one command (cli.md). In its own database
 * {@code spectrum_demo} on the configured server (made afresh each run): migrate, start the ingest
 * service, send a generated product's events through the HTTP API, run the pipeline, apply
 * {@code examples/}, refresh, and print the report.
 */
@Command(name = "demo", description = "Runs the whole product on generated events and prints the report (database spectrum_demo).")
final class DemoCommand implements Callable<Integer> {

    static final String DATABASE = "spectrum_demo";
    static final int BATCH = 500;

    @ParentCommand
    SpectrumCommand parent;

    @Option(names = "--persons", defaultValue = "3000", description = "How many persons the generated product has (default 3000).")
    int persons;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = parent.spec.commandLine().getOut();
        Path home = Path.of(System.getProperty("spectrum.home", ".")).toAbsolutePath().normalize();
        long started = System.nanoTime();

        DatabaseSettings server = parent.database();
        DatabaseSettings demo = server.withDatabase(DATABASE);
        step(out, "Database " + demo.describe() + " (made afresh)");
        demo.recreate();
        DataSource dataSource = demo.open();
        var migrated = Migrations.migrate(dataSource);
        out.printf("  schema version %s%n", migrated.targetSchemaVersion);

        List<ObjectNode> events = new DemoProduct(42).generate(persons);
        step(out, "Starting the ingest service");
        try (var ingest = new IngestProcess(home, demo, demo.url())) {
            out.printf("  %s (log: %s)%n", ingest.url, ingest.log);
            step(out, String.format("Sending %,d events of %,d persons over %d days through POST /v1/events", events.size(),
                    persons, DemoProduct.DAYS));
            send(ingest, events, out);
        }

        step(out, "Pipeline");
        var run = new Pipeline(dataSource).run(true);
        out.printf("  loaded %,d events, %,d duplicates skipped%n", run.eventsLoaded(), run.duplicatesSkipped());

        step(out, "Applying examples/");
        var store = new ViewStore(dataSource);
        for (var definition : Definitions.load(home.resolve("examples"))) {
            out.printf("  %s %s%n", definition.label(), definition.apply(store).name().toLowerCase(java.util.Locale.ROOT));
        }
        step(out, "Refreshing");
        out.printf("  %s%n", String.join(", ", store.refresh(List.of())));

        String psql = "psql " + host(demo) + " -U " + demo.user() + " -d " + DATABASE;
        new DemoReport(dataSource, out).print(psql);
        out.printf("%nDone in %.0f s.%n", (System.nanoTime() - started) / 1e9);
        out.flush();
        return 0;
    }

    private static void send(IngestProcess ingest, List<ObjectNode> events, PrintWriter out) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        boolean terminal = System.console() != null;
        int sent = 0;
        while (sent < events.size()) {
            List<ObjectNode> slice = events.subList(sent, Math.min(events.size(), sent + BATCH));
            var response = http.send(HttpRequest.newBuilder(URI.create(ingest.url + "/v1/events"))
                    .header("Authorization", "Bearer " + ingest.writeKey).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(DemoProduct.batch(slice))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                throw new UserError("the ingest service answered " + response.statusCode() + ": " + response.body());
            }
            sent += slice.size();
            if (terminal || sent == events.size()) {   // a progress bar where someone watches; one line otherwise
                int filled = (int) (30L * sent / events.size());
                out.printf("%s  [%s%s] %,d / %,d", terminal ? "\r" : "", "#".repeat(filled), ".".repeat(30 - filled), sent, events.size());
                out.flush();
            }
        }
        out.println();
    }

    private static void step(PrintWriter out, String what) {
        out.println("== " + what);
        out.flush();
    }

    /** psql's -h and -p for the database's server. */
    private static String host(DatabaseSettings settings) {
        var data = new PGSimpleDataSource();
        data.setURL(settings.url());
        String[] hosts = data.getServerNames();
        int[] ports = data.getPortNumbers();
        int port = ports.length == 0 || ports[0] == 0 ? 5432 : ports[0];
        return "-h " + (hosts.length == 0 ? "localhost" : hosts[0]) + (port == 5432 ? "" : " -p " + port);
    }
}
