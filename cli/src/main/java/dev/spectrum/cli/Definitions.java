package dev.spectrum.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.files.DefinitionFiles;
import dev.spectrum.definitions.funnel.FunnelDefinition;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads and checks every document under a path before anything is applied: all or nothing. */
final class Definitions {

    record Checked(DefinitionFiles.Document document, FunnelDefinition funnel, String specJson) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Definitions() {
    }

    static List<Checked> load(Path path) {
        List<DefinitionFiles.Document> documents;
        try {
            documents = DefinitionFiles.load(path);
        } catch (IOException e) {
            throw new UserError("cannot read " + path + ": " + e.getMessage());
        } catch (InvalidDefinitionException e) {
            throw new UserError(e.getMessage());
        }
        if (documents.isEmpty()) {
            throw new UserError("no Funnel documents in " + path + " (files ending .yaml or .yml)");
        }
        List<Checked> checked = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (var document : documents) {
            try {
                checked.add(new Checked(document, FunnelDefinition.from(document.funnel()),
                        JSON.writeValueAsString(document.funnel().getSpec())));
            } catch (InvalidDefinitionException e) {
                e.problems().forEach(p -> problems.add(document.where() + ": " + p));
            } catch (IOException e) {
                problems.add(document.where() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new UserError("nothing applied; fix these first:\n  " + String.join("\n  ", problems));
        }
        return checked;
    }
}
