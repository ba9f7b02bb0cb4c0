package dev.spectrum.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The component logins (data-model.md, Roles): a login that is a member of one Spectrum role
 * only, with its password set as a SCRAM verifier computed here ({@link ScramVerifier}), so the
 * plain text never reaches the server. Used by {@code spectrum migrate} and the operator.
 */
public final class Logins {

    public static final Set<String> ROLES = Set.of("spectrum_ingest", "spectrum_pipeline", "spectrum_reader");
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern VERIFIER = Pattern.compile("SCRAM-SHA-256\\$[0-9]+:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+");

    private Logins() {
    }

    /**
     * Creates {@code login} (or updates it: idempotent, a changed password is set again) as a
     * LOGIN role without any other privilege, a member of {@code role} and of no other role.
     * The connection's login needs CREATEROLE (and ADMIN OPTION on {@code role} on PostgreSQL 16+).
     *
     * @param login    a lower-case SQL name ({@code [a-z_][a-z0-9_]*}, at most 63 characters)
     * @param role     one of {@link #ROLES}
     * @param password the plain password; only its SCRAM verifier is sent
     * @return true when the login was created, false when it existed and was updated
     */
    public static boolean ensureLogin(Connection connection, String login, String role, String password) throws SQLException {
        if (login == null || !NAME.matcher(login).matches()) {
            throw new IllegalArgumentException("login name '" + login + "' must be lower-case letters, digits and '_',"
                    + " starting with a letter or '_', at most 63 characters");
        }
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("role must be one of " + ROLES + ", got " + role);
        }
        if (ROLES.contains(login)) {
            throw new IllegalArgumentException("the login must not be named like a role: " + login);
        }
        String verifier = ScramVerifier.of(password);
        if (!VERIFIER.matcher(verifier).matches()) {
            throw new IllegalStateException("unexpected verifier format");
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (var st = connection.createStatement()) {
            boolean exists;
            try (var q = connection.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                q.setString(1, login);
                exists = q.executeQuery().next();
            }
            // the name is checked above and the verifier is base64: neither needs quoting beyond this
            String options = " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT PASSWORD '" + verifier + "'";
            st.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + login + options);
            for (String other : ROLES) {   // fixed names: a member of its own role only
                if (!other.equals(role)) {
                    st.execute("REVOKE " + other + " FROM " + login);
                }
            }
            st.execute("GRANT " + role + " TO " + login);
            connection.commit();
            return !exists;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
