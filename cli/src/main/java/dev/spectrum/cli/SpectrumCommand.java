package dev.spectrum.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./spectrum}: Spectrum without Kubernetes (cli.md). */
@Command(name = "spectrum",
        mixinStandardHelpOptions = true,
        version = "spectrum 0.1.0",
        description = "Self-hosted product analytics on PostgreSQL, without Kubernetes.",
        subcommands = {DemoCommand.class, MigrateCommand.class, PipelineCommand.class, ApplyCommand.class, DeleteCommand.class, RefreshCommand.class,
            ForgetCommand.class, SqlCommand.class, ServeCommand.class, StatusCommand.class},
        footer = {"",
            "Database: SPECTRUM_DB_URL (jdbc:postgresql://host:port/db),",
            "SPECTRUM_DB_USER (default postgres), SPECTRUM_DB_PASSWORD.",
            "Without SPECTRUM_DB_URL: database 'spectrum' on localhost:5432, created if missing."})
public final class SpectrumCommand implements Runnable {

    private final Map<String, String> environment;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public SpectrumCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    Map<String, String> environment() {
        return environment;
    }

    DatabaseSettings database() {
        return DatabaseSettings.fromEnvironment(environment);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with Spectrum's error handling: a one-line reason and a non-zero status. */
    public static CommandLine commandLine(Map<String, String> environment, PrintWriter out, PrintWriter err) {
        var commandLine = new CommandLine(new SpectrumCommand(environment));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            String reason = e instanceof UserError ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + DatabaseSettings.firstLine(e.getMessage());
            cl.getErr().println("spectrum: " + reason);
            cl.getErr().flush();
            return 1;
        });
        return commandLine;
    }

    public static void main(String[] args) {
        // Flyway and the JDBC driver log through java.util.logging: keep the terminal for results.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        for (var handler : java.util.logging.Logger.getLogger("").getHandlers()) {
            handler.setLevel(java.util.logging.Level.WARNING);
        }
        // UTF-8 whatever the locale: definitions' text and the → of ./spectrum sql reach the terminal as written
        var out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        var err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        System.exit(commandLine(System.getenv(), out, err).execute(args));
    }
}
