package dev.spectrum.definitions.files;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.kind.DefinitionKind;
import dev.spectrum.definitions.v1alpha1.Funnel;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the YAML documents {@code kubectl apply -f} would take, from a file or every
 * {@code .yaml}/{@code .yml} file of a folder (sorted by name), and returns the Spectrum
 * resources in them (every {@link DefinitionKind}). Unknown fields in a spec are errors, as the API server's schema makes them.
 */
public final class DefinitionFiles {

    /** One resource and where it came from. */
    public record Document(Path file, int index, HasMetadata resource) {
        public String where() {
            return file + (index > 0 ? " (document " + (index + 1) + ")" : "");
        }
    }

    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private DefinitionFiles() {
    }

    public static List<Document> load(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException(path + " does not exist");
        }
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> list = Files.list(path)) {
                files = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
            }
        } else {
            files = List.of(path);
        }
        List<Document> documents = new ArrayList<>();
        for (Path file : files) {
            int index = 0;
            try (var parser = YAML.getFactory().createParser(file.toFile())) {
                var nodes = YAML.readValues(parser, JsonNode.class);
                while (nodes.hasNext()) {
                    JsonNode node = nodes.next();
                    if (node != null && !node.isNull() && !node.isEmpty()) {
                        documents.add(new Document(file, index, toResource(file, index, node)));
                    }
                    index++;
                }
            }
        }
        return documents;
    }

    /** The resources in YAML text (one or more documents). */
    public static List<HasMetadata> parse(String yaml) throws IOException {
        List<HasMetadata> funnels = new ArrayList<>();
        Path where = Path.of("<text>");
        int index = 0;
        try (var parser = YAML.getFactory().createParser(yaml)) {
            var nodes = YAML.readValues(parser, JsonNode.class);
            while (nodes.hasNext()) {
                JsonNode node = nodes.next();
                if (node != null && !node.isNull() && !node.isEmpty()) {
                    funnels.add(toResource(where, index, node));
                }
                index++;
            }
        }
        return funnels;
    }

    private static HasMetadata toResource(Path file, int index, JsonNode node) {
        String where = file + (index > 0 ? " (document " + (index + 1) + ")" : "");
        String apiVersion = node.path("apiVersion").asText("");
        String kind = node.path("kind").asText("");
        if (!apiVersion.equals(Funnel.GROUP + "/" + Funnel.VERSION)) {
            throw new InvalidDefinitionException(where, List.of("apiVersion: '" + apiVersion + "' is not "
                    + Funnel.GROUP + "/" + Funnel.VERSION));
        }
        Class<? extends HasMetadata> type = DefinitionKind.named(kind).map(DefinitionKind::resourceClass)
                .orElseThrow(() -> new InvalidDefinitionException(where, List.of("kind: '" + kind
                        + "' is not one ./spectrum applies (" + DefinitionKind.names(", ") + ")")));
        try {
            return YAML.treeToValue(node, type);
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new InvalidDefinitionException(where, List.of(message));
        }
    }
}
