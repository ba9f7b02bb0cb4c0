package dev.spectrum.operator.spectrum.database;

import static dev.spectrum.definitions.sql.SqlText.identifier;
import static dev.spectrum.definitions.sql.SqlText.literal;

import java.util.ArrayList;
import java.util.List;

/**
 * The SQL text that makes a component login (pure, unit-tested): created when missing, its
 * password set as a SCRAM verifier, a member of its role only. The role comment records a
 * fingerprint of the password it was given (not the password), so an unchanged Secret costs no write.
 */
public final class LoginSql {

    public static final List<String> ROLES = List.of("spectrum_ingest", "spectrum_pipeline", "spectrum_reader");
    public static final String COMMENT_PREFIX = "spectrum login; password ";

    private LoginSql() {
    }

    public static String create(String login) {
        return "CREATE ROLE " + identifier(login) + " LOGIN INHERIT";
    }

    public static String setPassword(String login, String verifier) {
        return "ALTER ROLE " + identifier(login) + " WITH LOGIN INHERIT PASSWORD " + literal(verifier);
    }

    public static String comment(String login, String fingerprint) {
        return "COMMENT ON ROLE " + identifier(login) + " IS " + literal(COMMENT_PREFIX + fingerprint);
    }

    /** GRANT its role, REVOKE the other Spectrum roles it may have been given. */
    public static List<String> membership(String login, String role, List<String> memberOf) {
        List<String> sql = new ArrayList<>();
        if (!memberOf.contains(role)) {
            sql.add("GRANT " + identifier(role) + " TO " + identifier(login));
        }
        for (String other : memberOf) {
            if (!other.equals(role) && ROLES.contains(other)) {
                sql.add("REVOKE " + identifier(other) + " FROM " + identifier(login));
            }
        }
        return sql;
    }

    public static String drop(String login) {
        return "DROP ROLE IF EXISTS " + identifier(login);
    }

    /** A fingerprint of a password (not reversible; the passwords are 190-bit random). */
    public static String fingerprint(String login, String password) {
        return dev.spectrum.operator.spectrum.model.SpectrumNames.hash("spectrum-login\n" + login + "\n" + password).substring(0, 16);
    }
}
