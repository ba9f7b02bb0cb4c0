package dev.spectrum.sql;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A PostgreSQL SCRAM-SHA-256 password verifier computed here (RFC 5802 / RFC 7677, as
 * PostgreSQL stores it in {@code pg_authid.rolpassword}):
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, base64. Sent as the
 * password of {@code CREATE/ALTER ROLE}, so the plain text never reaches the server or its logs.
 * Pure: no database.
 */
public final class ScramVerifier {

    /** PostgreSQL's default ({@code scram_iterations}). */
    public static final int ITERATIONS = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ScramVerifier() {
    }

    /** A verifier with a fresh random 16-byte salt. */
    public static String of(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return compute(password, salt, ITERATIONS);
    }

    /** The verifier for this salt and iteration count (what PostgreSQL computes for the same inputs). */
    public static String compute(String password, byte[] salt, int iterations) {
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("a login's password must not be empty");
        }
        try {
            // PostgreSQL applies SASLprep; for ASCII that is the identity, NFKC covers its mapping of the rest
            String prepared = password.chars().allMatch(ch -> ch < 0x80) ? password : Normalizer.normalize(password, Normalizer.Form.NFKC);
            var factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            byte[] salted = factory.generateSecret(new PBEKeySpec(prepared.toCharArray(), salt, iterations, 256)).getEncoded();
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            byte[] serverKey = hmac(salted, "Server Key");
            var b64 = Base64.getEncoder();
            return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey)
                    + ":" + b64.encodeToString(serverKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks PBKDF2WithHmacSHA256 / HmacSHA256", e);
        }
    }

    private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }
}
