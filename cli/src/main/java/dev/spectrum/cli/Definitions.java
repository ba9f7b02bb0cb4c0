package dev.spectrum.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.Definition;
import dev.spectrum.definitions.ViewName;
import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.definitions.files.DefinitionFiles;
import dev.spectrum.definitions.kind.DefinitionKind;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads and checks every document under a path before anything is applied: all or nothing. */
final class Definitions {

    /** One checked definition and its spec as JSON (recorded with the view). */
    record Checked(Definition definition, String specJson) {
        String label() {
            return definition.label();
        }

        ViewName viewName() {
            return definition.viewName();
        }

        ViewStore.Outcome apply(ViewStore store) throws SQLException {
            return store.apply(definition, specJson);
        }

        boolean delete(ViewStore store) throws SQLException {
            return store.delete(definition);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Definitions() {
    }

    static List<Checked> load(Path path) {
        return load(path, "applied");
    }

    /** What a lenient read found: the valid definitions, and one line per invalid document or file. */
    record Lenient(List<Checked> valid, List<String> problems) {
    }

    /**
     * Each file on its own (serve): an unreadable file or an invalid document is a problem line
     * with the same message {@code apply} gives, and the rest still counts.
     */
    static Lenient loadEach(Path path) throws IOException {
        List<Path> files;
        if (java.nio.file.Files.isDirectory(path)) {
            try (var list = java.nio.file.Files.list(path)) {
                files = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
            }
        } else if (java.nio.file.Files.exists(path)) {
            files = List.of(path);
        } else {
            throw new IOException(path + " does not exist");
        }
        List<Checked> valid = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            List<DefinitionFiles.Document> documents;
            try {
                documents = DefinitionFiles.load(file);
            } catch (InvalidDefinitionException e) {
                problems.add(e.getMessage());
                continue;
            } catch (IOException e) {
                problems.add(file + ": " + DatabaseSettings.firstLine(e.getMessage()));
                continue;
            }
            for (var document : documents) {
                checkOne(document, valid, problems);
            }
        }
        return new Lenient(valid, problems);
    }

    private static void checkOne(DefinitionFiles.Document document, List<Checked> checked, List<String> problems) {
        try {
            var resource = document.resource();
            Definition definition = DefinitionKind.of(resource).check(resource);
            checked.add(new Checked(definition, JSON.writeValueAsString(((CustomResource<?, ?>) resource).getSpec())));
        } catch (InvalidDefinitionException e) {
            e.problems().forEach(p -> problems.add(document.where() + ": " + p));
        } catch (IOException e) {
            problems.add(document.where() + ": " + e.getMessage());
        }
    }

    /** As {@link #load(Path)}; {@code outcome} says what did not happen when a document is invalid ("nothing printed"). */
    static List<Checked> load(Path path, String outcome) {
        List<DefinitionFiles.Document> documents;
        try {
            documents = DefinitionFiles.load(path);
        } catch (IOException e) {
            throw new UserError("cannot read " + path + ": " + e.getMessage());
        } catch (InvalidDefinitionException e) {
            throw new UserError(e.getMessage());
        }
        if (documents.isEmpty()) {
            throw new UserError("no " + DefinitionKind.names(" or ") + " documents in " + path + " (files ending .yaml or .yml)");
        }
        List<Checked> checked = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (var document : documents) {
            checkOne(document, checked, problems);
        }
        if (!problems.isEmpty()) {
            throw new UserError("nothing " + outcome + "; fix these first:\n  " + String.join("\n  ", problems));
        }
        return checked;
    }
}
