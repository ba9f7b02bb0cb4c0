package dev.spectrum.operator.spectrum.database;

import dev.spectrum.sql.ScramVerifier;
import static dev.spectrum.definitions.sql.SqlText.identifier;

import dev.spectrum.definitions.DefinitionDuration;
import dev.spectrum.definitions.v1alpha1.SpectrumStatus;
import dev.spectrum.sql.Migrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The database side of a Spectrum, in plain JDBC: bootstrap, migrations, logins, settings, last run. */
public final class DatabaseSetup {

    private DatabaseSetup() {
    }

    /** A migration that failed: which one and why. */
    public static class MigrationFailed extends Exception {
        public MigrationFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Managed database, as the superuser: login {@code spectrum} (CREATEROLE) and database
     * {@code spectrum} owned by it, both only when missing.
     */
    public static void bootstrapManaged(DataSource superuser, String database, String owner) throws SQLException {
        try (Connection c = superuser.getConnection(); Statement s = c.createStatement()) {
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", owner)) {
                s.execute("CREATE ROLE " + identifier(owner) + " LOGIN CREATEROLE");
            }
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", database)) {
                s.execute("CREATE DATABASE " + identifier(database) + " OWNER " + identifier(owner));
            } else if (!exists(c, "SELECT 1 FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = ? AND r.rolname = ?",
                    database, owner)) {
                s.execute("ALTER DATABASE " + identifier(database) + " OWNER TO " + identifier(owner));
            }
        }
    }

    /** Applies the pending migrations once per schema version; returns the version and how many ran. */
    public static Migrated migrate(DataSource dataSource) throws MigrationFailed {
        try {
            if (Migrations.pending(dataSource) == 0) {
                return new Migrated(Migrations.currentVersion(dataSource), 0);
            }
            var result = Migrations.migrate(dataSource);
            String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : Migrations.currentVersion(dataSource);
            return new Migrated(version, result.migrationsExecuted);
        } catch (RuntimeException e) {
            throw new MigrationFailed(firstLine(e.getMessage()), e);
        }
    }

    public record Migrated(String version, int executed) {
    }

    /** Creates or fixes a login; true when something changed. The password travels as a SCRAM verifier only. */
    public static boolean ensureLogin(DataSource owner, String login, String role, String password) throws SQLException {
        boolean changed = false;
        String fingerprint = LoginSql.fingerprint(login, password);
        try (Connection c = owner.getConnection(); Statement s = c.createStatement()) {
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", login)) {
                s.execute(LoginSql.create(login));
                changed = true;
            }
            String comment = value(c, "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = ?", login);
            if (changed || !(LoginSql.COMMENT_PREFIX + fingerprint).equals(comment)) {
                s.execute(LoginSql.setPassword(login, ScramVerifier.of(password)));
                s.execute(LoginSql.comment(login, fingerprint));
                changed = true;
            }
            List<String> memberOf = new ArrayList<>();
            try (var q = c.prepareStatement("SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                    + " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = ?")) {
                q.setString(1, login);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        memberOf.add(rs.getString(1));
                    }
                }
            }
            for (String sql : LoginSql.membership(login, role, memberOf)) {
                s.execute(sql);
                changed = true;
            }
        }
        return changed;
    }

    public static void dropLogin(DataSource owner, String login) throws SQLException {
        try (Connection c = owner.getConnection(); Statement s = c.createStatement()) {
            s.execute(LoginSql.drop(login));
        }
    }

    /**
     * spec.dataRetention into warehouse.settings (data-model.md, Data lifecycle; migration V13),
     * only when a value differs; returns whether the table was there.
     */
    public static boolean writeRetention(DataSource owner, DefinitionDuration staging, DefinitionDuration events) throws SQLException {
        try (Connection c = owner.getConnection()) {
            if (value(c, "SELECT to_regclass('warehouse.settings')::text") == null) {
                return false;
            }
            try (var q = c.prepareStatement("INSERT INTO warehouse.settings (name, value, updated_by) VALUES (?, ?::interval, 'operator')"
                    + " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = 'operator'"
                    + " WHERE settings.value IS DISTINCT FROM EXCLUDED.value")) {
                q.setString(1, "staging_retention");
                q.setString(2, interval(staging));
                q.executeUpdate();
                q.setString(1, "event_retention");
                q.setString(2, events == null ? null : interval(events));
                q.executeUpdate();
            }
            return true;
        }
    }

    static String interval(DefinitionDuration duration) {
        return duration.amount() + (duration.unit() == 'h' ? " hours" : duration.unit() == 'm' ? " minutes" : " days");
    }

    /** The newest row of analytics.pipeline_runs, or null before the first run. */
    public static SpectrumStatus.PipelineRun lastPipelineRun(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection();
             var q = c.prepareStatement("SELECT status, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                     + " to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), events_loaded"
                     + " FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1");
             ResultSet rs = q.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            return new SpectrumStatus.PipelineRun(rs.getString(1), rs.getString(2), rs.getString(3), (Long) rs.getObject(4));
        }
    }

    private static boolean exists(Connection c, String sql, String... parameters) throws SQLException {
        try (var q = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                q.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String value(Connection c, String sql, String... parameters) throws SQLException {
        try (var q = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                q.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    public static String firstLine(String message) {
        return message == null ? "unknown error" : message.lines().findFirst().orElse("");
    }
}
