package dev.spectrum.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.apply.Definition;
import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.definitions.experiment.ExperimentDefinition;
import dev.spectrum.definitions.files.DefinitionFiles;
import dev.spectrum.definitions.funnel.FunnelDefinition;
import dev.spectrum.definitions.v1alpha1.Experiment;
import dev.spectrum.definitions.v1alpha1.Funnel;
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

        String viewName() {
            return definition.viewName();
        }

        ViewStore.Outcome apply(ViewStore store) throws SQLException {
            return definition.applyTo(store, specJson);
        }

        boolean delete(ViewStore store) throws SQLException {
            return definition.deleteFrom(store);
        }
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
            throw new UserError("no Funnel or Experiment documents in " + path + " (files ending .yaml or .yml)");
        }
        List<Checked> checked = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (var document : documents) {
            try {
                if (document.resource() instanceof Funnel funnel) {
                    checked.add(new Checked(FunnelDefinition.from(funnel), JSON.writeValueAsString(funnel.getSpec())));
                } else if (document.resource() instanceof Experiment experiment) {
                    checked.add(new Checked(ExperimentDefinition.from(experiment), JSON.writeValueAsString(experiment.getSpec())));
                }
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
