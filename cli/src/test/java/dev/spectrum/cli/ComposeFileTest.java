package dev.spectrum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** compose.yaml names only files and commands that exist, and is the deployment deploy.md describes. */
class ComposeFileTest {

    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    static final Pattern DEFAULTED = Pattern.compile("\\$\\{[A-Z_]+:-([^}]+)}");
    static final Pattern REQUIRED = Pattern.compile("\\$\\{([A-Z_]+):\\?");

    private static JsonNode compose() throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("compose.yaml").toFile());
    }

    @Test
    void everyBindMountNamesAFolderOfTheRepository() throws Exception {
        Set<String> missingGrafana = new LinkedHashSet<>();
        int mounts = 0;
        for (JsonNode service : compose().path("services")) {
            for (JsonNode volume : service.path("volumes")) {
                String source = volume.asText().split(":(?=/)")[0];
                var defaulted = DEFAULTED.matcher(source);
                if (defaulted.matches()) {
                    source = defaulted.group(1);
                }
                if (!source.startsWith("./")) {
                    continue;   // a named volume
                }
                mounts++;
                if (source.startsWith("./grafana/") && !Files.isDirectory(ROOT.resolve(source))) {
                    missingGrafana.add(source);   // the dashboards' files, from their own branch
                    continue;
                }
                assertThat(ROOT.resolve(source)).as(volume.asText()).isDirectory();
            }
        }
        assertThat(mounts).isEqualTo(3);
        Assumptions.assumeTrue(missingGrafana.isEmpty(), "the Grafana provisioning is not in this tree yet: " + missingGrafana);
    }

    @Test
    void everyCommandOfTheSpectrumImageIsASpectrumCommand() throws Exception {
        var commands = SpectrumCommand.commandLine(Map.of(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getSubcommands().keySet();
        int checked = 0;
        for (JsonNode service : compose().path("services")) {
            if (service.path("image").asText().contains("SPECTRUM_IMAGE")) {
                assertThat(commands).contains(service.path("command").get(0).asText());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(2);
        JsonNode s = compose().path("services");
        assertThat(s.path("migrate").path("command").toString()).isEqualTo("[\"migrate\"]");
        assertThat(s.path("spectrum").path("command").toString()).isEqualTo("[\"serve\"]");
    }

    @Test
    void theServicesAreTheOnesDeployMdDescribes() throws Exception {
        JsonNode s = compose().path("services");
        assertThat(compose().has("name")).as("docker-compose 1.29 has no top-level name").isFalse();
        assertThat(s.path("postgres").path("image").asText()).isEqualTo("postgres:16");
        assertThat(s.path("postgres").path("volumes").get(0).asText()).startsWith("postgres-data:");
        assertThat(compose().path("volumes").has("postgres-data")).isTrue();
        assertThat(s.path("postgres").path("healthcheck").path("test").toString()).contains("pg_isready");
        assertThat(s.path("migrate").path("depends_on").path("postgres").path("condition").asText()).isEqualTo("service_healthy");
        JsonNode serve = s.path("spectrum");
        assertThat(serve.path("init").asBoolean()).isTrue();
        assertThat(serve.path("ports").get(0).asText()).endsWith(":8080");
        assertThat(serve.path("depends_on").path("migrate").path("condition").asText()).isEqualTo("service_completed_successfully");
        assertThat(serve.path("healthcheck").path("test").toString()).contains("/q/health/ready");
        // every service's log rotated, through the one x-logging anchor (YAML aliases are not resolved by this parser)
        assertThat(compose().path("x-logging").path("options").path("max-size").asText()).isEqualTo("10m");
        assertThat(Files.readString(ROOT.resolve("compose.yaml")).split("logging: \\*logging", -1)).hasSize(5);
        JsonNode grafana = s.path("grafana");
        assertThat(grafana.path("image").asText()).matches("grafana/grafana(-oss)?:[0-9]+\\.[0-9]+\\.[0-9]+");
        assertThat(grafana.path("environment").path("GF_USERS_ALLOW_SIGN_UP").asText()).isEqualTo("false");
        assertThat(grafana.path("environment").path("GF_AUTH_ANONYMOUS_ENABLED").asText()).isEqualTo("false");
        assertThat(grafana.path("volumes").toString()).contains("./grafana/provisioning:/etc/grafana/provisioning:ro")
                .contains("./grafana/dashboards:/var/lib/grafana/dashboards/spectrum:ro");
        // serve logs in as the component logins migrate makes; no superuser password reaches it
        assertThat(serve.path("environment").has("SPECTRUM_DB_PASSWORD")).isFalse();
        assertThat(serve.path("environment").has("SPECTRUM_INGEST_PASSWORD")).isTrue();
        assertThat(serve.path("environment").has("SPECTRUM_PIPELINE_PASSWORD")).isTrue();
        assertThat(grafana.path("environment").path("SPECTRUM_READER_USER").asText()).isEqualTo(ServeLogins.READER_LOGIN);
    }

    @Test
    void envExampleSetsEveryRequiredVariableAndNoRealSecretIsCommitted() throws Exception {
        String compose = Files.readString(ROOT.resolve("compose.yaml"));
        String example = Files.readString(ROOT.resolve(".env.example"));
        var required = REQUIRED.matcher(compose);
        int n = 0;
        while (required.find()) {
            assertThat(example).as(required.group(1)).containsPattern("(?m)^" + required.group(1) + "=.+");
            n++;
        }
        assertThat(n).isGreaterThanOrEqualTo(6);
        assertThat(example).doesNotContainPattern("(?m)^[A-Z_]*PASSWORD=(?!change-me)");
        assertThat(Files.readString(ROOT.resolve(".gitignore"))).containsPattern("(?m)^\\.env$");
    }
}
