package dev.spectrum.cli;

import dev.spectrum.sql.Pipeline;
import dev.spectrum.sql.PipelineRun;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ./spectrum pipeline [--every 5m]}: runs CALL warehouse.run_pipeline(). */
@Command(name = "pipeline", description = "Loads what arrived in staging into the warehouse and refreshes the analytics views.")
final class PipelineCommand implements Callable<Integer> {

    @ParentCommand
    SpectrumCommand parent;

    @Option(names = "--every", paramLabel = "DURATION",
            description = "Keep running, once every DURATION (30s, 5m, 1h); a failed run is reported and retried next time.")
    String every;

    @Option(names = "--no-refresh", description = "Load only; do not refresh the analytics views.")
    boolean noRefresh;

    @Override
    public Integer call() {
        Duration interval = every == null ? null : Durations.parse(every);
        var settings = parent.database();
        var out = parent.spec.commandLine().getOut();
        if (interval == null) {
            runOnce(new Pipeline(settings.open()), out);
            return 0;
        }
        out.printf("Running the pipeline on %s every %s (Ctrl-C stops).%n", settings.describe(), every);
        out.flush();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                runOnce(new Pipeline(settings.open()), out);
            } catch (UserError e) {
                var err = parent.spec.commandLine().getErr();
                err.println("spectrum: " + e.getMessage() + " (next try in " + every + ")");
                err.flush();
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                break; // stopped: the last run finished, nothing is left half done
            }
        }
        return 0;
    }

    private void runOnce(Pipeline pipeline, PrintWriter out) {
        long started = System.nanoTime();
        PipelineRun run;
        try {
            run = pipeline.run(!noRefresh);
        } catch (SQLException e) {
            throw new UserError(DatabaseSettings.firstLine(e.getMessage()).replaceFirst("^ERROR: ", ""));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (run.stagingRows() == 0) {
            out.printf("Pipeline run %d: nothing new in staging (loaded through id %d)%s, %.1f s.%n",
                    run.runId(), run.rawTo(), noRefresh ? "" : "; analytics views refreshed", seconds);
        } else {
            out.printf("Pipeline run %d: loaded %,d events from staging ids %d..%d, skipped %,d duplicates%s%s, %.1f s.%n",
                    run.runId(), run.eventsLoaded(), run.rawFrom(), run.rawTo(), run.duplicatesSkipped(),
                    run.expiredSkipped() == 0 ? "" : String.format(" and %,d events older than the event retention", run.expiredSkipped()),
                    noRefresh ? "" : "; refreshed the standard analytics views (sessions, retention, revenue, activity, lifecycle)",
                    seconds);
        }
        out.flush();
    }
}
