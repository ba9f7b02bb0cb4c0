package dev.spectrum.grafana;

import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.definitions.files.DefinitionFiles;
import dev.spectrum.definitions.kind.DefinitionKind;
import dev.spectrum.sql.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.stream.Collectors;

/** Loads data sets and definitions into a test database. */
final class SpectrumData {

    static final Path BENCH = Path.of("..", "bench");

    private SpectrumData() {
    }

    /**
     * The shared benchmark data set (bench/generate.sql, its psql meta-commands left out) at the
     * given size, the experiment's exposures (for one user in 40), one pipeline run, and the benchmark's three funnels
     * and one experiment applied.
     */
    static void benchmarkDataSet(TestDatabase db, int events) throws IOException, SQLException {
        String generate = Files.readString(BENCH.resolve("generate.sql")).lines()
                .filter(line -> !line.strip().startsWith("\\"))
                .collect(Collectors.joining("\n"))
                .replace(":events", String.valueOf(events))
                .replace("setseed(:seed)", "setseed(0.42)");   // the script's default seed
        // A smaller share of exposed users than the benchmark's half: the experiment view's plan
        // today is a nested loop over the assigned persons (its estimate after HAVING is tiny), so
        // its cost grows with persons x events (docs/benchmarks.md, dashboard queries).
        String exposures = Files.readString(BENCH.resolve("dashboards-exposures.sql"));
        if (!exposures.contains("% 2 = 0")) {
            throw new IllegalStateException("bench/dashboards-exposures.sql no longer picks half of the users with '% 2 = 0'");
        }
        db.execute(generate, exposures.replace("% 2 = 0", "% 40 = 0"));
        db.runPipeline();
        apply(db, Files.readString(BENCH.resolve("dashboards-definitions.yaml")));
    }

    /** Applies every Funnel and Experiment of the YAML text through the one ViewStore. */
    static void apply(TestDatabase db, String yaml) throws IOException, SQLException {
        ViewStore store = new ViewStore(db.dataSource());
        for (HasMetadata resource : DefinitionFiles.parse(yaml)) {
            store.apply(DefinitionKind.of(resource).check(resource), "{}");
        }
    }
}
