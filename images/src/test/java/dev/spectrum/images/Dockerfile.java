package dev.spectrum.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The instructions of a Dockerfile that decide what an image runs (ARG defaults, FROM, COPY, USER,
 * ENTRYPOINT, CMD), and the image's files as its COPY instructions would lay them out from a build
 * context: enough to check an image's inputs without an engine.
 */
record Dockerfile(Map<String, String> args, String from, List<Copy> copies, String user, List<String> entrypoint,
                  List<String> cmd) {

    /** One {@code COPY [--flags] src... dest}. */
    record Copy(List<String> flags, List<String> sources, String destination) {
    }

    private static final Pattern JSON_ITEM = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Dockerfile parse(Path file) throws IOException {
        Map<String, String> args = new LinkedHashMap<>();
        String from = null;
        String user = null;
        List<Copy> copies = new ArrayList<>();
        List<String> entrypoint = List.of();
        List<String> cmd = List.of();
        for (String line : instructions(Files.readString(file))) {
            String[] parts = line.split("\\s+", 2);
            String keyword = parts[0].toUpperCase();
            String rest = parts.length > 1 ? parts[1].trim() : "";
            switch (keyword) {
                case "ARG" -> {
                    String[] kv = rest.split("=", 2);
                    args.put(kv[0], kv.length > 1 ? kv[1] : "");
                }
                case "FROM" -> from = substitute(rest.split("\\s+")[0], args);
                case "USER" -> user = rest;
                case "COPY", "ADD" -> {
                    List<String> words = List.of(rest.split("\\s+"));
                    List<String> flags = words.stream().filter(w -> w.startsWith("--")).toList();
                    List<String> paths = words.stream().filter(w -> !w.startsWith("--")).toList();
                    if (keyword.equals("ADD")) {
                        throw new IllegalStateException(file + ": use COPY, not ADD (" + line + ")");
                    }
                    copies.add(new Copy(flags, paths.subList(0, paths.size() - 1), paths.get(paths.size() - 1)));
                }
                case "ENTRYPOINT" -> entrypoint = execForm(file, line, rest);
                case "CMD" -> cmd = execForm(file, line, rest);
                default -> {
                    // RUN, ENV, LABEL, WORKDIR, EXPOSE: nothing to check here
                }
            }
        }
        return new Dockerfile(args, from, copies, user, entrypoint, cmd);
    }

    /** The image's files (absolute paths in the image) mapped to the context's files they come from. */
    Map<String, Path> layout(Path context) throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        for (Copy copy : copies) {
            for (String source : copy.sources()) {
                Path from = context.resolve(source);
                if (Files.isDirectory(from)) {
                    String into = copy.destination().endsWith("/") ? copy.destination() : copy.destination() + "/";
                    try (Stream<Path> walk = Files.walk(from)) {
                        for (Path f : walk.filter(Files::isRegularFile).toList()) {
                            files.put(into + from.relativize(f).toString().replace('\\', '/'), f);
                        }
                    }
                } else if (Files.isRegularFile(from)) {
                    String to = copy.destination().endsWith("/") ? copy.destination() + from.getFileName() : copy.destination();
                    files.put(to, from);
                }
            }
        }
        return files;
    }

    /** The value following {@code option} in the entrypoint (e.g. the jar of {@code -jar}). */
    Optional<String> entrypointValue(String option) {
        int i = entrypoint.indexOf(option);
        return i >= 0 && i + 1 < entrypoint.size() ? Optional.of(entrypoint.get(i + 1)) : Optional.empty();
    }

    /** A {@code -Dname=value} of the entrypoint. */
    Optional<String> systemProperty(String name) {
        return entrypoint.stream().filter(a -> a.startsWith("-D" + name + "=")).map(a -> a.substring(name.length() + 3)).findFirst();
    }

    private static List<String> instructions(String text) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (current.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (line.startsWith("#")) {
                continue; // a comment inside a continued instruction
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
            } else {
                current.append(line);
                result.add(current.toString().trim());
                current.setLength(0);
            }
        }
        return result;
    }

    private static List<String> execForm(Path file, String line, String rest) {
        if (!rest.startsWith("[") || !rest.endsWith("]")) {
            throw new IllegalStateException(file + ": ENTRYPOINT and CMD must use the exec form [\"...\"] "
                    + "(the shell form runs under /bin/sh and does not forward SIGTERM): " + line);
        }
        List<String> items = new ArrayList<>();
        Matcher m = JSON_ITEM.matcher(rest);
        while (m.find()) {
            items.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return List.copyOf(items);
    }

    private static String substitute(String value, Map<String, String> args) {
        Matcher m = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            m.appendReplacement(out, Matcher.quoteReplacement(args.getOrDefault(name, "")));
        }
        m.appendTail(out);
        return out.toString();
    }
}
