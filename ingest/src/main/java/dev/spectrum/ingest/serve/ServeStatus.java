package dev.spectrum.ingest.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import io.smallrye.health.api.Wellness;

/**
 * The pipeline's health when the service runs under {@code spectrum serve} (deploy.md): serve
 * writes the last run (read from {@code analytics.pipeline_runs} with the pipeline's login) and
 * the invalid definitions to the file {@code SPECTRUM_SERVE_STATUS}; this check shows them in
 * {@code /q/health} and {@code /q/health/well} and as metrics. It is a wellness check: a failing
 * pipeline never makes ingest unready. Without the setting it reports nothing to check.
 */
@Wellness
@ApplicationScoped
public class ServeStatus implements HealthCheck {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "spectrum.serve.status")
    Optional<String> statusFile;

    void registerMetrics(@Observes StartupEvent event, MeterRegistry registry) {
        if (statusFile.isEmpty()) {
            return;
        }
        Gauge.builder("spectrum.pipeline.last.run.age.seconds", this, s -> s.ageSeconds())
                .description("Seconds since the last pipeline run finished (NaN before the first)").register(registry);
        Gauge.builder("spectrum.pipeline.last.run.succeeded", this, s -> {
            String status = s.read().path("pipelineStatus").asText("");
            return "succeeded".equals(status) ? 1 : "failed".equals(status) ? 0 : Double.NaN;
        }).description("1 when the last pipeline run succeeded, 0 when it failed").register(registry);
        Gauge.builder("spectrum.definitions.invalid", this, s -> s.read().path("invalidDefinitions").size())
                .description("Definitions serve skipped as invalid").register(registry);
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("spectrum-pipeline").up();
        if (statusFile.isEmpty()) {
            return response.withData("pipeline", "not run by this service").build();
        }
        JsonNode status = read();
        response.withData("lastRunStatus", status.path("pipelineStatus").asText("unknown"));
        if (status.has("pipelineLastRunAt")) {
            response.withData("lastRunAt", status.path("pipelineLastRunAt").asText());
            response.withData("lastRunAgeSeconds", (long) ageSeconds());
        }
        if (status.has("pipelineRunId")) {
            response.withData("lastRunId", status.path("pipelineRunId").asLong());
        }
        response.withData("definitionsApplied", status.path("appliedDefinitions").size());
        response.withData("invalidDefinitions", status.path("invalidDefinitions").size());
        int i = 0;
        for (JsonNode problem : status.path("invalidDefinitions")) {
            response.withData("invalidDefinition." + (++i), problem.asText());
        }
        return response.build();
    }

    private double ageSeconds() {
        JsonNode at = read().path("pipelineLastRunAt");
        if (at.isMissingNode()) {
            return Double.NaN;
        }
        return Duration.between(Instant.parse(at.asText()), Instant.now()).toMillis() / 1000.0;
    }

    private JsonNode read() {
        try {
            return JSON.readTree(Files.readString(Path.of(statusFile.orElseThrow())));
        } catch (IOException | RuntimeException e) {
            return JSON.createObjectNode().put("pipelineStatus", "unknown: " + e.getClass().getSimpleName());
        }
    }
}
