package dev.spectrum.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The write keys of this deployment, from {@code SPECTRUM_WRITE_KEYS}: {@code name=key} pairs
 * separated by commas. A request's key is looked up in constant time per key; only its name is
 * ever stored or logged.
 */
public final class WriteKeys {

    private final Map<String, byte[]> keysByName;

    private WriteKeys(Map<String, byte[]> keysByName) {
        this.keysByName = keysByName;
    }

    public static WriteKeys parse(String setting) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        if (setting != null) {
            for (String pair : setting.split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1) {
                    throw new IllegalArgumentException(
                            "SPECTRUM_WRITE_KEYS must be name=key pairs separated by commas; one entry has no name or no key");
                }
                String name = pair.substring(0, eq).trim();
                String key = pair.substring(eq + 1).trim();
                if (keys.containsKey(name)) {
                    throw new IllegalArgumentException("SPECTRUM_WRITE_KEYS names key '" + name + "' twice");
                }
                keys.put(name, key.getBytes(StandardCharsets.UTF_8));
            }
        }
        return new WriteKeys(keys);
    }

    public boolean isEmpty() {
        return keysByName.isEmpty();
    }

    /** The name of the key, if it is one of ours. */
    public Optional<String> nameOf(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (var entry : keysByName.entrySet()) {
            if (MessageDigest.isEqual(entry.getValue(), candidate)) {
                found = entry.getKey();
            }
        }
        return Optional.ofNullable(found);
    }
}
