package dev.spectrum.ingest.compat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Event ids of the compatible APIs: a UUID stays itself; any other id becomes the name-based
 * UUID (version 5, SHA-1, RFC 4122) of its text in Spectrum's fixed namespace, so that a retried
 * message with the same id deduplicates.
 */
public final class NameUuid {

    /** Spectrum's namespace for ids that are not UUIDs (fixed: changing it would break dedup of retries). */
    public static final UUID NAMESPACE = UUID.fromString("7c0a4f9e-3b1d-5e6a-8f2c-5d4e3a2b1c0f");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private NameUuid() {
    }

    public static String eventId(String id) {
        if (id == null || id.isEmpty()) {
            return null;
        }
        return UUID_TEXT.matcher(id).matches() ? id : v5(id).toString();
    }

    static UUID v5(String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(toBytes(NAMESPACE));
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);   // version 5
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);   // IETF variant
            long msb = 0;
            long lsb = 0;
            for (int i = 0; i < 8; i++) {
                msb = (msb << 8) | (hash[i] & 0xff);
                lsb = (lsb << 8) | (hash[i + 8] & 0xff);
            }
            return new UUID(msb, lsb);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] toBytes(UUID uuid) {
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (uuid.getMostSignificantBits() >>> (56 - 8 * i));
            bytes[i + 8] = (byte) (uuid.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return bytes;
    }
}
