package dev.spectrum.sql;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** The schema migrations under {@code sql/src/main/resources/db/migration}, applied by Flyway. */
public final class Migrations {

    public static final String LOCATION = "classpath:db/migration";

    private Migrations() {
    }

    /** Applies every pending migration; returns what Flyway did. */
    public static MigrateResult migrate(DataSource dataSource) {
        return flyway(dataSource).migrate();
    }

    /** The schema version the database is at, or {@code null} before the first migration. */
    public static String currentVersion(DataSource dataSource) {
        var current = flyway(dataSource).info().current();
        return current == null ? null : current.getVersion().getVersion();
    }

    /** How many migrations the database has not applied yet (0: it is at this release's version). */
    public static int pending(DataSource dataSource) {
        return flyway(dataSource).info().pending().length;
    }

    private static Flyway flyway(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                // SQL text is taken as written: "${...}" in a migration is never a placeholder.
                .placeholderReplacement(false)
                .load();
    }
}
