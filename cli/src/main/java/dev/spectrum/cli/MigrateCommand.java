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

    /** The component logins (deploy.md): each when its password is set, a member of its role only. */
    private void ensureLogins(javax.sql.DataSource dataSource, java.io.PrintWriter out) {
        var env = parent.environment();
        String[][] components = {
            {"INGEST", ServeLogins.INGEST_LOGIN, "spectrum_ingest"},
            {"PIPELINE", ServeLogins.PIPELINE_LOGIN, "spectrum_pipeline"},
            {"READER", ServeLogins.READER_LOGIN, "spectrum_reader"}};
        for (String[] component : components) {
            String password = env.get("SPECTRUM_" + component[0] + "_PASSWORD");
            if (password == null || password.isEmpty()) {
                continue;
            }
            String login = env.getOrDefault("SPECTRUM_" + component[0] + "_USER", component[1]);
            try (var c = dataSource.getConnection()) {
                boolean created = dev.spectrum.sql.Logins.ensureLogin(c, login, component[2], password);
                out.printf("Login %s (member of %s) %s.%n", login, component[2], created ? "created" : "updated");
            } catch (IllegalArgumentException e) {
                throw new UserError("SPECTRUM_" + component[0] + "_USER: " + e.getMessage());
            } catch (java.sql.SQLException e) {
                throw new UserError("cannot create login " + login + ": " + DatabaseSettings.firstLine(e.getMessage())
                        .replaceFirst("^ERROR: ", "") + " (the migrating login needs CREATEROLE, and on PostgreSQL 16+"
                        + " ADMIN OPTION on " + component[2] + ")");
            }
        }
    }

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
        ensureLogins(dataSource, out);
        out.flush();
        return 0;
    }
}
