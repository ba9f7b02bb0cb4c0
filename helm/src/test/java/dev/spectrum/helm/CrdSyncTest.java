package dev.spectrum.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The chart installs the same CRDs as crds/, byte for byte (deploy.md, Helm chart). */
class CrdSyncTest {

    static final String FIX = "helm/spectrum/crds/ differs from crds/: run helm/sync-crds.sh "
            + "(it copies crds/*.yml into the chart) and commit both";

    @Test
    void theChartsCrdsAreTheRepositorysCrds() throws IOException {
        Path repository = Chart.ROOT.resolve("crds");
        Path chart = Chart.CHART.resolve("crds");
        assertThat(names(chart)).as(FIX).isEqualTo(names(repository));
        assertThat(names(repository)).contains("spectrums.spectrum.dev-v1.yml", "funnels.spectrum.dev-v1.yml",
                "experiments.spectrum.dev-v1.yml");
        for (String name : names(repository)) {
            assertThat(Files.readAllBytes(chart.resolve(name))).as(FIX + " (" + name + ")")
                    .isEqualTo(Files.readAllBytes(repository.resolve(name)));
        }
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
                    .sorted().toList();
        }
    }
}
