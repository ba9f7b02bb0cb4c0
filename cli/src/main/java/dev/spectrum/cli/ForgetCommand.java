package dev.spectrum.cli;

import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./spectrum forget ID}: {@code CALL warehouse.forget_person(ID)} (data-model.md, Data lifecycle;
 * docs/privacy.md). Exit 0 when the person was forgotten (or had been before and nothing of them is
 * left), 1 when no person has the id.
 */
@Command(name = "forget",
        description = {"Forgets a person everywhere (GDPR erasure): every event of theirs in staging and the warehouse,",
            "their identity rows and links; the analytics views are refreshed without them.",
            "The event ids stay in the dedup registry, so a replayed event is skipped as a duplicate."})
final class ForgetCommand implements Callable<Integer> {

    @ParentCommand
    SpectrumCommand parent;

    @Parameters(index = "0", paramLabel = "ID",
            description = "The person: a user id, or the anonymous id of a visitor who never identified.")
    String id;

    @Option(names = "--no-refresh",
            description = "Do not refresh the views now: they still show the person until the next refresh.")
    boolean noRefresh;

    @Override
    public Integer call() throws SQLException {
        var out = parent.spec.commandLine().getOut();
        long started = System.nanoTime();
        String outcome;
        String message;
        try (var c = parent.database().open().getConnection();
             var call = c.prepareStatement("CALL warehouse.forget_person(?, ?)")) {
            call.setString(1, id);
            call.setBoolean(2, !noRefresh);
            try (var rs = call.executeQuery()) {
                rs.next();
                outcome = rs.getString("outcome");
                message = rs.getString("message");
            }
        }
        if ("not_a_person".equals(outcome)) {
            throw new UserError(message);
        }
        out.printf("%s%s (%.1f s).%n", Character.toUpperCase(message.charAt(0)), message.substring(1),
                (System.nanoTime() - started) / 1e9);
        out.flush();
        return 0;
    }
}
