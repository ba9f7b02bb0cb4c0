package dev.spectrum.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The dashboard files of grafana/dashboards/, read as Grafana reads them. */
final class Dashboards {

    static final Path DIRECTORY = Path.of("dashboards");
    static final List<String> NAMES = List.of("overview", "activity", "funnels", "retention", "sessions", "revenue", "experiments");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One query of a panel, with what the panel's field config and options name. */
    record Query(String dashboard, JsonNode panel, JsonNode target) {
        String rawSql() {
            return target.path("rawSql").asText();
        }

        String format() {
            return target.path("format").asText();
        }

        String where() {
            return dashboard + " / " + panel.path("title").asText() + " / " + target.path("refId").asText();
        }
    }

    private Dashboards() {
    }

    static Map<String, JsonNode> all() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                out.put(file.getFileName().toString().replaceAll("\\.json$", ""), JSON.readTree(file.toFile()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static String text(String name) {
        try {
            return Files.readString(DIRECTORY.resolve(name + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel, also those nested in collapsed rows. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            out.add(panel);
            for (JsonNode nested : panel.path("panels")) {
                out.add(nested);
            }
        }
        return out;
    }

    static List<Query> queries(String name, JsonNode dashboard) {
        List<Query> out = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                out.add(new Query(name, panel, target));
            }
        }
        return out;
    }

    static List<Query> allQueries() {
        List<Query> out = new ArrayList<>();
        all().forEach((name, d) -> out.addAll(queries(name, d)));
        return out;
    }

    static List<JsonNode> variables(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(out::add);
        return out;
    }

    /** A query variable's SQL (string form, or the object form of newer Grafana versions). */
    static String variableSql(JsonNode variable) {
        JsonNode query = variable.path("query");
        return query.isTextual() ? query.asText() : query.path("rawSql").asText();
    }

    /** The field names a panel's overrides, options and transformations name. */
    static List<String> namedFields(JsonNode panel) {
        List<String> out = new ArrayList<>();
        for (JsonNode override : panel.path("fieldConfig").path("overrides")) {
            JsonNode matcher = override.path("matcher");
            if (matcher.path("id").asText().equals("byName")) {
                out.add(matcher.path("options").asText());
            }
        }
        JsonNode xField = panel.path("options").path("xField");
        if (xField.isTextual()) {
            out.add(xField.asText());
        }
        return out;
    }
}
