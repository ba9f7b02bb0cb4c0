package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spectrum.sql.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Logins.ensureLogin and ScramVerifier against a real PostgreSQL. */
class LoginsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final String SUFFIX = Long.toHexString(System.nanoTime());
    static final String INGEST = "spectrum_test_ingest_" + SUFFIX;
    static final String READER = "spectrum_test_reader_" + SUFFIX;

    @AfterAll
    static void dropLogins() throws SQLException {
        for (String login : List.of(INGEST, READER)) {
            TestDatabase.dropLogin(login);
        }
    }

    @Test
    void theVerifierIsTheOnePostgresqlComputesForTheSameSaltAndIterations() throws SQLException {
        String login = "spectrum_test_scram_" + SUFFIX;
        String password = "s3cret pässword ' \" $ with quotes";
        try (Connection c = db.connect(); var st = c.createStatement()) {
            st.execute("SET password_encryption = 'scram-sha-256'");
            st.execute("CREATE ROLE " + login + " LOGIN PASSWORD " + quote(password));
            String stored = db.value("SELECT rolpassword FROM pg_authid WHERE rolname = '" + login + "'", String.class);
            // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
            String[] parts = stored.split("[$:]");
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            assertThat(ScramVerifier.compute(password, salt, iterations)).isEqualTo(stored);
            assertThat(ScramVerifier.compute("another", salt, iterations)).isNotEqualTo(stored);
        } finally {
            TestDatabase.dropLogin(login);
        }
    }

    @Test
    void eachLoginCanDoExactlyWhatItsRoleAllowsAndARerunSetsTheNewPassword() throws SQLException {
        try (Connection c = db.connect()) {
            assertThat(Logins.ensureLogin(c, INGEST, "spectrum_ingest", "first-password")).isTrue();
            assertThat(Logins.ensureLogin(c, READER, "spectrum_reader", "reader-password")).isTrue();
            String before = db.value("SELECT rolpassword FROM pg_authid WHERE rolname = '" + INGEST + "'", String.class);
            assertThat(before).startsWith("SCRAM-SHA-256$4096:");
            // idempotent; a changed password is set again; a stray membership is taken away
            try (var st = c.createStatement()) {
                st.execute("GRANT spectrum_pipeline TO " + INGEST);
            }
            assertThat(Logins.ensureLogin(c, INGEST, "spectrum_ingest", "second-password")).isFalse();
            String after = db.value("SELECT rolpassword FROM pg_authid WHERE rolname = '" + INGEST + "'", String.class);
            String[] parts = after.split("[$:]");
            assertThat(ScramVerifier.compute("second-password", Base64.getDecoder().decode(parts[2]), 4096)).isEqualTo(after);
            assertThat(after).isNotEqualTo(before);
        }
        assertThat(db.rows("SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid"
                + " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = '" + INGEST + "'")).containsExactly(List.of("spectrum_ingest"));
        assertThat(db.rows("SELECT rolcanlogin::text, rolsuper::text, rolcreaterole::text, rolcreatedb::text FROM pg_roles"
                + " WHERE rolname = '" + INGEST + "'")).containsExactly(List.of("true", "false", "false", "false"));

        // the ingest login inserts into staging and reads nothing; the reader reads analytics and writes nothing
        try (Connection ingest = as(INGEST); var st = ingest.createStatement()) {
            st.execute("INSERT INTO staging.raw_events (event_id, event_type, user_id, occurred_at, source)"
                    + " VALUES (gen_random_uuid(), 'signup', 'login-test', now(), 'test')");
            assertThatThrownBy(() -> st.executeQuery("SELECT count(*) FROM staging.raw_events"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> st.executeQuery("SELECT count(*) FROM analytics.pipeline_runs"))
                    .hasMessageContaining("permission denied");
        }
        try (Connection reader = as(READER); var st = reader.createStatement()) {
            var rs = st.executeQuery("SELECT count(*) FROM analytics.pipeline_runs");
            assertThat(rs.next()).isTrue();
            assertThatThrownBy(() -> st.execute("INSERT INTO staging.raw_events (event_id, event_type, user_id, occurred_at, source)"
                    + " VALUES (gen_random_uuid(), 'x', 'y', now(), 'test')")).hasMessageContaining("permission denied");
            assertThatThrownBy(() -> st.executeQuery("SELECT count(*) FROM warehouse.fact_events"))
                    .hasMessageContaining("permission denied");
        }
        assertThat(db.count("SELECT count(*) FROM staging.raw_events WHERE user_id = 'login-test'")).isEqualTo(1);
    }

    @Test
    void refusesBadNamesAndRolesBeforeTouchingTheServer() throws SQLException {
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> Logins.ensureLogin(c, "x; DROP TABLE staging.raw_events", "spectrum_ingest", "p"))
                    .hasMessageContaining("must be lower-case letters");
            assertThatThrownBy(() -> Logins.ensureLogin(c, "ok_name", "postgres", "p")).hasMessageContaining("role must be one of");
            assertThatThrownBy(() -> Logins.ensureLogin(c, "ok_name", "spectrum_reader", "")).hasMessageContaining("must not be empty");
        }
        assertThat(db.count("SELECT count(*) FROM pg_roles WHERE rolname = 'ok_name'")).isZero();
    }

    /** The server here trusts local logins, so the password is not what is checked; the rights are. */
    private static Connection as(String login) throws SQLException {
        return DriverManager.getConnection(db.url(), login, "");
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
