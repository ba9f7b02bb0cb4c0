package dev.spectrum.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** helm/spectrum rendered in-process by Helm (helm-java), as a list of objects. */
final class Chart {

    static final Path ROOT = Path.of(System.getProperty("spectrum.root", "..")).toAbsolutePath().normalize();
    static final Path CHART = ROOT.resolve("helm/spectrum");
    static final String RELEASE = "spectrum";
    static final String NAMESPACE = "analytics";
    static final ObjectMapper YAML = new YAMLMapper();
    /** helm template assumes Kubernetes 1.20 unless told; the chart needs 1.27 or later. */
    static final String KUBE_VERSION = "1.31.0";

    private Chart() {
    }

    /** The rendered objects; {@code sets} are --set pairs, {@code valuesFiles} -f files. */
    static Rendered render(Map<String, Object> sets, Path... valuesFiles) {
        TemplateCommand command = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        for (Path file : valuesFiles) {
            command = command.withValuesFile(file);
        }
        for (var set : sets.entrySet()) {
            if (set.getValue() instanceof List<?> list) { // --set a[0]=x --set a[1]=y
                for (int i = 0; i < list.size(); i++) {
                    command = command.set(set.getKey() + "[" + i + "]", list.get(i));
                }
            } else {
                command = command.set(set.getKey(), set.getValue());
            }
        }
        String out = command.call();
        return new Rendered(out, parse(out));
    }

    static Rendered render(Map<String, Object> sets) {
        return render(sets, new Path[0]);
    }

    /** The error Helm reports for these values, or empty when they render. */
    static Optional<String> error(Map<String, Object> sets, Path... valuesFiles) {
        try {
            render(sets, valuesFiles);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }

    static List<JsonNode> parse(String yaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && !node.isNull() && !node.isEmpty()) {
                    objects.add(node);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }

    static Map<String, Object> sets(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /** What one helm template run produced. */
    record Rendered(String yaml, List<JsonNode> objects) {

        List<JsonNode> kind(String kind) {
            return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
        }

        JsonNode one(String kind) {
            List<JsonNode> found = kind(kind);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + kind + ", rendered " + found.size() + ":\n" + yaml);
            }
            return found.get(0);
        }

        List<String> kinds() {
            return objects.stream().map(o -> o.path("kind").asText()).toList();
        }

        JsonNode operatorContainer() {
            return one("Deployment").at("/spec/template/spec/containers/0");
        }

        String env(String name) {
            for (JsonNode e : operatorContainer().path("env")) {
                if (e.path("name").asText().equals(name)) {
                    return e.path("value").asText(null);
                }
            }
            return null;
        }
    }
}
