package dev.spectrum.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The write keys of this deployment (ingest-api.md): {@code SPECTRUM_WRITE_KEYS}
 * ({@code name=key} pairs separated by commas) merged with the folder of
 * {@code SPECTRUM_WRITE_KEYS_DIR} when it is set (one file per key, the file name is the key's
 * name, as a mounted Secret lays them out). The folder can be read again ({@link #reload()}):
 * a rotated Secret takes effect without a restart. A request's key is compared in constant time
 * per key; only its name is ever stored or logged.
 */
public final class WriteKeys {

    private final Map<String, byte[]> fromSetting;
    private final Path folder;
    private volatile Map<String, byte[]> keysByName;

    private WriteKeys(Map<String, byte[]> fromSetting, Path folder, Map<String, byte[]> keysByName) {
        this.fromSetting = fromSetting;
        this.folder = folder;
        this.keysByName = keysByName;
    }

    /** The keys of a {@code SPECTRUM_WRITE_KEYS} value alone. */
    public static WriteKeys parse(String setting) {
        Map<String, byte[]> keys = parseSetting(setting);
        return new WriteKeys(keys, null, keys);
    }

    /**
     * The keys of the setting and, when {@code folder} is given, of its files; throws
     * IllegalArgumentException, saying what to fix, when either is malformed or one name is in both.
     */
    public static WriteKeys load(String setting, Path folder) {
        Map<String, byte[]> fromSetting = parseSetting(setting);
        if (folder == null) {
            return new WriteKeys(fromSetting, null, fromSetting);
        }
        return new WriteKeys(fromSetting, folder, merge(fromSetting, readFolder(folder)));
    }

    /**
     * Reads the folder again and takes its keys when they differ from the current ones.
     * Returns true when the keys changed; throws IllegalArgumentException (the current keys
     * stay) when the folder is now unreadable or malformed.
     */
    public boolean reload() {
        if (folder == null) {
            return false;
        }
        Map<String, byte[]> next = merge(fromSetting, readFolder(folder));
        if (same(next, keysByName)) {
            return false;
        }
        keysByName = next;
        return true;
    }

    public boolean isEmpty() {
        return keysByName.isEmpty();
    }

    /** The names of the keys (never the keys), sorted. */
    public java.util.Set<String> names() {
        return Collections.unmodifiableSet(new TreeMap<>(keysByName).keySet());
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

    private static Map<String, byte[]> parseSetting(String setting) {
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
        return Collections.unmodifiableMap(keys);
    }

    /** One key per regular file (symbolic links followed); names starting with '.' are skipped. */
    private static Map<String, byte[]> readFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("SPECTRUM_WRITE_KEYS_DIR is " + folder
                    + ", which is not a folder; point it at the folder where the write keys Secret is mounted");
        }
        Map<String, byte[]> keys = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || !Files.isRegularFile(file)) {
                    continue;
                }
                String key = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (key.isEmpty()) {
                    throw new IllegalArgumentException("the write key file " + name + " in SPECTRUM_WRITE_KEYS_DIR is empty;"
                            + " put the key in it or remove it");
                }
                keys.put(name, key.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("SPECTRUM_WRITE_KEYS_DIR (" + folder + ") could not be read: "
                    + e.getClass().getSimpleName());
        }
        return keys;
    }

    private static Map<String, byte[]> merge(Map<String, byte[]> fromSetting, Map<String, byte[]> fromFolder) {
        Map<String, byte[]> all = new LinkedHashMap<>(fromSetting);
        for (var entry : fromFolder.entrySet()) {
            if (all.containsKey(entry.getKey())) {
                throw new IllegalArgumentException("the write key name '" + entry.getKey()
                        + "' is both in SPECTRUM_WRITE_KEYS and a file in SPECTRUM_WRITE_KEYS_DIR; give each name one source");
            }
            all.put(entry.getKey(), entry.getValue());
        }
        return Collections.unmodifiableMap(all);
    }

    private static boolean same(Map<String, byte[]> a, Map<String, byte[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (var entry : a.entrySet()) {
            if (!Arrays.equals(entry.getValue(), b.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
