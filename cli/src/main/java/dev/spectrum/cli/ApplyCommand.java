package dev.spectrum.cli;

import dev.spectrum.definitions.apply.ViewStore;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ./spectrum apply -f PATH}: the Funnel and Experiment documents of a file or folder, as kubectl would take them. */
@Command(name = "apply", description = "Creates or replaces the views of the Funnel and Experiment YAML in a file or folder.")
final class ApplyCommand implements Callable<Integer> {

    @ParentCommand
    SpectrumCommand parent;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "PATH", description = "A YAML file or a folder of them.")
    Path path;

    @Override
    public Integer call() throws SQLException {
        var definitions = Definitions.load(path);
        var settings = parent.database();
        var store = new ViewStore(settings.open());
        var out = parent.spec.commandLine().getOut();
        for (var d : definitions) {
            long started = System.nanoTime();
            ViewStore.Outcome outcome;
            try {
                outcome = d.apply(store);
            } catch (SQLException e) {
                throw new UserError(d.label() + " was not applied: "
                        + DatabaseSettings.firstLine(e.getMessage()).replaceFirst("^ERROR: ", ""));
            }
            out.printf("%s %s (%s, %.1f s)%n", d.label(),
                    outcome.name().toLowerCase(java.util.Locale.ROOT), d.viewName().qualified(), (System.nanoTime() - started) / 1e9);
        }
        out.flush();
        return 0;
    }
}
