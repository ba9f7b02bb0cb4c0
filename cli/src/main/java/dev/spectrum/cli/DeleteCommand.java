package dev.spectrum.cli;

import dev.spectrum.definitions.apply.ViewStore;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ./spectrum delete -f PATH}: drops what those documents defined. */
@Command(name = "delete", description = "Drops the views of the Funnel and Experiment YAML in a file or folder.")
final class DeleteCommand implements Callable<Integer> {

    @ParentCommand
    SpectrumCommand parent;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "PATH", description = "A YAML file or a folder of them.")
    Path path;

    @Override
    public Integer call() throws SQLException {
        var definitions = Definitions.load(path);
        var store = new ViewStore(parent.database().open());
        var out = parent.spec.commandLine().getOut();
        for (var d : definitions) {
            boolean deleted = d.delete(store);
            out.printf("%s %s%n", d.label(), deleted ? "deleted (" + d.viewName().qualified() + " dropped)"
                    : "was not applied; nothing to delete");
        }
        out.flush();
        return 0;
    }
}
