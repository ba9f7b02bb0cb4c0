package dev.spectrum.cli;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where {@code ./spectrum} finds its database (cli.md): {@code SPECTRUM_DB_URL},
 * {@code SPECTRUM_DB_USER}, {@code SPECTRUM_DB_PASSWORD}; without a URL, database {@code spectrum}
 * on {@code localhost:5432}, created when missing.
 */
public record DatabaseSettings(String url, String user, String password, boolean localDefault) {

    static final String LOCAL_SERVER = "jdbc:postgresql://localhost:5432/";
    static final String LOCAL_DATABASE = "spectrum";

    public static DatabaseSettings fromEnvironment(Map<String, String> env) {
        String url = env.get("SPECTRUM_DB_URL");
        String user = env.getOrDefault("SPECTRUM_DB_USER", "postgres");
        String password = env.getOrDefault("SPECTRUM_DB_PASSWORD", "");
        if (url == null || url.isBlank()) {
            if ("1".equals(env.get("SPECTRUM_EMBEDDED")) || !answers(LOCAL_SERVER + "postgres?connectTimeout=2", user, password)) {
                return EmbeddedServer.settings();
            }
            return new DatabaseSettings(LOCAL_SERVER + LOCAL_DATABASE, user, password, true);
        }
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new UserError("SPECTRUM_DB_URL must be a jdbc:postgresql://host:port/database URL, got: " + url);
        }
        return new DatabaseSettings(url, user, password, false);
    }

    /** Whether a server answers at the URL (a refused login still answers: that is an error, not a fallback). */
    private static boolean answers(String url, String user, String password) {
        try (Connection ignored = DriverManager.getConnection(url, user, password)) {
            return true;
        } catch (SQLException e) {
            return e.getSQLState() == null || !e.getSQLState().startsWith("08");
        }
    }

    /** A data source for the database, which exists once this returns. */
    public DataSource open() {
        if (localDefault) {
            createLocalDatabaseIfMissing();
        }
        var dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        dataSource.setUser(user);
        dataSource.setPassword(password);
        dataSource.setConnectTimeout(5);
        dataSource.setApplicationName("spectrum");
        try (Connection ignored = dataSource.getConnection()) {
            return dataSource;
        } catch (SQLException e) {
            throw new UserError("cannot connect to " + describe() + ": " + firstLine(e.getMessage()));
        }
    }

    /** The same server and login, another database (the demo's). */
    public DatabaseSettings withDatabase(String database) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        return new DatabaseSettings(base.substring(0, base.lastIndexOf('/') + 1) + database + params, user, password, false);
    }

    /** Drops and creates the database through the server's postgres database. */
    public void recreate() {
        DatabaseSettings admin = withDatabase("postgres");
        String name = url.replaceFirst("\\?.*$", "").replaceFirst("^.*/", "");
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new UserError("not a database name Spectrum makes: " + name);
        }
        try (Connection c = DriverManager.getConnection(admin.url(), user, password); var st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new UserError("cannot make database " + name + " on " + admin.describe() + ": " + firstLine(e.getMessage()));
        }
    }

    /** The database without credentials, for messages. */
    public String describe() {
        return url.replaceFirst("^jdbc:postgresql://", "").replaceFirst("\\?.*$", "");
    }

    private void createLocalDatabaseIfMissing() {
        String server = url.substring(0, url.lastIndexOf('/') + 1);
        try (Connection admin = DriverManager.getConnection(server + "postgres?connectTimeout=5", user, password)) {
            try (var exists = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, LOCAL_DATABASE);
                if (exists.executeQuery().next()) {
                    return;
                }
            }
            try (var create = admin.createStatement()) {
                create.execute("CREATE DATABASE " + LOCAL_DATABASE);
            }
            System.err.println("Created database " + LOCAL_DATABASE + " on " + server.replaceFirst("^jdbc:postgresql://", "") + ".");
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) { // connection exception: nobody answers
                throw new UserError("no PostgreSQL answers on localhost:5432: start one, or set SPECTRUM_DB_URL"
                        + " (and SPECTRUM_DB_USER, SPECTRUM_DB_PASSWORD) to point at your server");
            }
            throw new UserError("the PostgreSQL server on localhost:5432 refused user '" + user + "': "
                    + firstLine(e.getMessage()) + " (set SPECTRUM_DB_USER / SPECTRUM_DB_PASSWORD, or SPECTRUM_DB_URL)");
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
