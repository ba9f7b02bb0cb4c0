package dev.spectrum.operator.spectrum.dependent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dashboard files the operator carries: the build copies grafana/dashboards/*.json into the
 * operator's {@code spectrum-dashboards/} resources (there is no second copy in the source), and
 * whatever files are there become ConfigMaps. Read once.
 */
public final class DashboardFiles {

    public static final String FOLDER = "spectrum-dashboards/";
    private static volatile Map<String, String> files;

    private DashboardFiles() {
    }

    /** Name (file name without .json) to content, byte for byte. */
    public static Map<String, String> all() {
        if (files == null) {
            files = load(Thread.currentThread().getContextClassLoader());
        }
        return files;
    }

    static Map<String, String> load(ClassLoader loader) {
        Map<String, String> result = new TreeMap<>();
        try {
            var folders = loader.getResources(FOLDER);
            while (folders.hasMoreElements()) {
                URL folder = folders.nextElement();
                for (String file : list(folder)) {
                    if (file.endsWith(".json") && !file.startsWith(".")) {
                        String content = read(loader, FOLDER + file);
                        if (content != null) {
                            result.put(file.substring(0, file.length() - ".json".length()), content);
                        }
                    }
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot read the dashboard files: " + e.getMessage(), e);
        }
        return Collections.unmodifiableMap(result);
    }

    /** The file names in a folder of the class path: a directory (tests) or a jar (the operator's image). */
    private static List<String> list(URL folder) throws IOException, URISyntaxException {
        List<String> names = new ArrayList<>();
        if ("file".equals(folder.getProtocol())) {
            try (var files = Files.list(Path.of(folder.toURI()))) {
                files.forEach(f -> names.add(f.getFileName().toString()));
            }
        } else if ("jar".equals(folder.getProtocol())) {
            var connection = (JarURLConnection) folder.openConnection();
            connection.setUseCaches(false); // a JarFile of its own, closed below (not the class loader's)
            try (JarFile jar = connection.getJarFile()) {
                String prefix = connection.getEntryName().endsWith("/") ? connection.getEntryName() : connection.getEntryName() + "/";
                jar.stream().map(e -> e.getName()).filter(n -> n.startsWith(prefix) && n.length() > prefix.length())
                        .map(n -> n.substring(prefix.length())).filter(n -> !n.contains("/")).forEach(names::add);
            }
        }
        return names;
    }

    private static String read(ClassLoader loader, String path) {
        try (InputStream in = loader.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
