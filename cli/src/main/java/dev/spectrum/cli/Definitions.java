package dev.spectrum.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectrum.definitions.InvalidDefinitionException;
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

    /** One checked definition: how to apply and delete it, and how to name it. */
    interface Checked {
        String label();          // funnel/checkout
        String viewName();       // funnel_checkout

        ViewStore.Outcome apply(ViewStore store) throws SQLException;

        boolean delete(ViewStore store) throws SQLException;
    }

    record CheckedFunnel(FunnelDefinition funnel, String specJson) implements Checked {
        public String label() { return "funnel/" + funnel.name(); }
        public String viewName() { return funnel.viewName(); }
        public ViewStore.Outcome apply(ViewStore store) throws SQLException { return store.applyFunnel(funnel, specJson); }
        public boolean delete(ViewStore store) throws SQLException { return store.deleteFunnel(funnel.name()); }
    }

    record CheckedExperiment(ExperimentDefinition experiment, String specJson) implements Checked {
        public String label() { return "experiment/" + experiment.name(); }
        public String viewName() { return experiment.viewName(); }
        public ViewStore.Outcome apply(ViewStore store) throws SQLException { return store.applyExperiment(experiment, specJson); }
        public boolean delete(ViewStore store) throws SQLException { return store.deleteExperiment(experiment.name()); }
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
                    checked.add(new CheckedFunnel(FunnelDefinition.from(funnel), JSON.writeValueAsString(funnel.getSpec())));
                } else if (document.resource() instanceof Experiment experiment) {
                    checked.add(new CheckedExperiment(ExperimentDefinition.from(experiment),
                            JSON.writeValueAsString(experiment.getSpec())));
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
