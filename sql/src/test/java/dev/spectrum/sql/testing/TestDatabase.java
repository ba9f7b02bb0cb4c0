package dev.spectrum.sql.testing;

import dev.spectrum.sql.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh PostgreSQL database for one test class, created before its first test and dropped
 * after its last, so that test classes share nothing. The server comes from one setting:
 * {@code SPECTRUM_TEST_JDBC_URL} (default {@code jdbc:postgresql://localhost:5432/postgres}), with
 * {@code SPECTRUM_TEST_DB_USER} / {@code SPECTRUM_TEST_DB_PASSWORD} (default postgres, none).
 *
 * <pre>{@code @RegisterExtension static final TestDatabase db = TestDatabase.migrated();}</pre>
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {

    private final boolean migrate;
    private String name;
    private PGSimpleDataSource dataSource;

    private TestDatabase(boolean migrate) {
        this.migrate = migrate;
    }

    /** A fresh database with every Spectrum migration applied. */
    public static TestDatabase migrated() {
        return new TestDatabase(true);
    }

    /** A fresh, empty database. */
    public static TestDatabase empty() {
        return new TestDatabase(false);
    }

    public static String serverUrl() {
        String url = System.getenv("SPECTRUM_TEST_JDBC_URL");
        return url == null || url.isBlank() ? "jdbc:postgresql://localhost:5432/postgres" : url;
    }

    public static String user() {
        String user = System.getenv("SPECTRUM_TEST_DB_USER");
        return user == null || user.isBlank() ? "postgres" : user;
    }

    public static String password() {
        String password = System.getenv("SPECTRUM_TEST_DB_PASSWORD");
        return password == null ? "" : password;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        create(context.getRequiredTestClass().getSimpleName());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        drop();
    }

    /** Creates (and migrates, unless {@link #empty()}) a database named after the label. */
    public TestDatabase create(String label) throws SQLException {
        name = ("spectrum_t_" + label + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24)))
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        try (Connection admin = adminConnection(); var st = admin.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        dataSource = new PGSimpleDataSource();
        dataSource.setURL(urlOf(name));
        dataSource.setUser(user());
        dataSource.setPassword(password());
        if (migrate) {
            Migrations.migrate(dataSource);
        }
        return this;
    }

    /** Drops the database (and everything connected to it). */
    public void drop() throws SQLException {
        if (name != null) {
            try (Connection admin = adminConnection(); var st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
            name = null;
        }
    }

    /** A login role that is a member of {@code role} only (trust auth on the test server: no password). */
    public static String createLogin(String role) throws SQLException {
        String login = (role + "_t_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24))).toLowerCase(Locale.ROOT);
        try (Connection admin = adminConnection(); var st = admin.createStatement()) {
            st.execute("CREATE ROLE " + login + " LOGIN IN ROLE " + role);
        }
        return login;
    }

    public static void dropLogin(String login) throws SQLException {
        try (Connection admin = adminConnection(); var st = admin.createStatement()) {
            st.execute("DROP ROLE IF EXISTS " + login);
        }
    }

    public String name() {
        return name;
    }

    public String url() {
        return urlOf(name);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    /** Runs statements in autocommit mode. */
    public void execute(String... statements) throws SQLException {
        try (Connection c = connect(); var st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    /** The single value of a one-row, one-column query. */
    public <T> T value(String sql, Class<T> type) throws SQLException {
        try (Connection c = connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from: " + sql);
            }
            return rs.getObject(1, type);
        }
    }

    public long count(String sql) throws SQLException {
        return value(sql, Long.class);
    }

    /** Every row of a query, each as a list of its columns' text (null stays null). */
    public List<List<String>> rows(String sql) throws SQLException {
        try (Connection c = connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            List<List<String>> rows = new ArrayList<>();
            while (rs.next()) {
                List<String> row = new ArrayList<>(columns);
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getString(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    /** CALL warehouse.run_pipeline(). */
    public void runPipeline() throws SQLException {
        execute("CALL warehouse.run_pipeline()");
    }

    private static Connection adminConnection() throws SQLException {
        return DriverManager.getConnection(serverUrl(), user(), password());
    }

    private static String urlOf(String database) {
        String server = serverUrl();
        int query = server.indexOf('?');
        String base = query < 0 ? server : server.substring(0, query);
        String params = query < 0 ? "" : server.substring(query);
        return base.substring(0, base.lastIndexOf('/') + 1) + database + params;
    }
}
