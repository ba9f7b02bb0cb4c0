package dev.spectrum.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** grafana/provisioning/: what compose mounts into Grafana as it is (dashboards.md, Provisioning). */
class ProvisioningTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Path DIR = Path.of("provisioning");

    @Test
    void theDatasourceIsTheReaderLoginWithItsPasswordFromTheEnvironment() throws IOException {
        JsonNode root = YAML.readTree(DIR.resolve("datasources/spectrum.yaml").toFile());
        assertThat(root.path("apiVersion").asInt()).isEqualTo(1);
        assertThat(root.path("datasources")).hasSize(1);
        JsonNode ds = root.path("datasources").get(0);
        assertThat(ds.path("name").asText()).matches("^Spectrum.*");                       // the dashboards' regex /^Spectrum/
        assertThat(ds.path("type").asText()).isEqualTo("grafana-postgresql-datasource");
        assertThat(ds.path("url").asText()).isEqualTo("${SPECTRUM_DB_HOST}:${SPECTRUM_DB_PORT}");
        assertThat(ds.path("user").asText()).isEqualTo("${SPECTRUM_READER_USER}");
        assertThat(ds.path("jsonData").path("database").asText()).isEqualTo("${SPECTRUM_DB_NAME}");
        assertThat(ds.path("secureJsonData").path("password").asText()).isEqualTo("${SPECTRUM_READER_PASSWORD}");
        assertThat(ds.has("password")).as("no plain-text password field").isFalse();
        String readme = Files.readString(Path.of("README.md"));
        for (String variable : new String[] {"SPECTRUM_DB_HOST", "SPECTRUM_DB_PORT", "SPECTRUM_DB_NAME", "SPECTRUM_READER_USER",
                "SPECTRUM_READER_PASSWORD"}) {
            assertThat(readme).as("grafana/README.md documents " + variable).contains(variable);
        }
    }

    @Test
    void theDashboardProviderReadsTheDashboardFiles() throws IOException {
        JsonNode root = YAML.readTree(DIR.resolve("dashboards/spectrum.yaml").toFile());
        JsonNode provider = root.path("providers").get(0);
        assertThat(provider.path("type").asText()).isEqualTo("file");
        assertThat(provider.path("folder").asText()).isEqualTo("Spectrum");
        String path = provider.path("options").path("path").asText();
        assertThat(path).isEqualTo("/var/lib/grafana/dashboards/spectrum");
        assertThat(Files.readString(Path.of("README.md"))).as("the README says where to mount grafana/dashboards").contains(path);
    }
}
