package dev.spectrum.cli;

import dev.spectrum.definitions.apply.ViewStore;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ./spectrum refresh [NAME...]}: refreshes the per-definition views CONCURRENTLY. */
@Command(name = "refresh", description = "Refreshes the views of the applied definitions (all, or those named).")
final class RefreshCommand implements Callable<Integer> {

    @ParentCommand
    SpectrumCommand parent;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Definition names; all when none.")
    List<String> names = List.of();

    @Override
    public Integer call() throws SQLException {
        var store = new ViewStore(parent.database().open());
        var out = parent.spec.commandLine().getOut();
        long started = System.nanoTime();
        List<String> views = store.refresh(names);
        if (views.isEmpty()) {
            throw new UserError(names.isEmpty() ? "no definitions are applied; apply some with ./spectrum apply -f PATH"
                    : "no applied definition is named " + String.join(", ", names));
        }
        if (!names.isEmpty() && views.size() < names.size()) {
            out.printf("(some names matched no applied definition)%n");
        }
        out.printf("Refreshed %s in %.1f s.%n", String.join(", ", views), (System.nanoTime() - started) / 1e9);
        out.flush();
        return 0;
    }
}
