package dev.spectrum.cli;

import dev.spectrum.sql.Migrations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code ./spectrum migrate}: applies the schema migrations. */
@Command(name = "migrate", description = "Applies the schema migrations (staging, warehouse, analytics, roles).")
final class MigrateCommand implements Callable<Integer> {

    @ParentCommand
    SpectrumCommand parent;

    @Override
    public Integer call() {
        var settings = parent.database();
        var dataSource = settings.open();
        org.flywaydb.core.api.output.MigrateResult result;
        try {
            result = Migrations.migrate(dataSource);
        } catch (org.flywaydb.core.api.exception.FlywayValidateException e) {
            throw new UserError("the migrations applied to " + settings.describe() + " differ from this version's"
                    + " (a migration file was changed after it was applied); use a fresh database. Flyway says: "
                    + e.getMessage().replaceAll("\\s+", " "));
        }
        var out = parent.spec.commandLine().getOut();
        if (result.migrationsExecuted == 0) {
            out.printf("Database %s is up to date at schema version %s.%n", settings.describe(), result.targetSchemaVersion == null
                    ? Migrations.currentVersion(dataSource) : result.targetSchemaVersion);
        } else {
            out.printf("Migrated database %s: applied %d migration%s, schema version is now %s.%n",
                    settings.describe(), result.migrationsExecuted, result.migrationsExecuted == 1 ? "" : "s",
                    result.targetSchemaVersion);
            result.migrations.forEach(m -> out.printf("  V%s %s%n", m.version, m.description));
        }
        for (String line : RetentionSettings.applyFromEnvironment(dataSource, parent.environment(), "migrate")) {
            out.printf("  %s%n", line);
        }
        out.flush();
        return 0;
    }
}
