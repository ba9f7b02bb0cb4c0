package dev.spectrum.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./spectrum sql -f PATH}: for each definition, a line {@code -- <Kind> <name> → analytics.<view>}
 * and then exactly the SQL whose SHA-256 is its sqlHash (cli.md). No database is opened.
 */
@Command(name = "sql", description = "Prints the SQL generated for the Funnel and Experiment YAML in a file or folder, without a database.")
final class SqlCommand implements Callable<Integer> {

    @ParentCommand
    SpectrumCommand parent;

    @Option(names = {"-f", "--filename"}, required = true, paramLabel = "PATH", description = "A YAML file or a folder of them.")
    Path path;

    @Override
    public Integer call() {
        var definitions = Definitions.load(path, "printed");   // all checked before anything is printed
        var out = parent.spec.commandLine().getOut();
        for (var checked : definitions) {
            var d = checked.definition();
            out.print("-- " + d.kind() + " " + d.name() + " \u2192 " + d.viewName().qualified() + "\n");
            out.print(d.createSql());
        }
        out.flush();
        return 0;
    }
}
