package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of a Spectrum. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SpectrumStatus {
    @JsonPropertyDescription("The generation of the spec this status describes.")
    private Long observedGeneration;
    @JsonPropertyDescription("The kind of database first reconciled (managed, external, cloudNativePG); it cannot change.")
    private String databaseKind;
    @JsonPropertyDescription("The schema version the database is at.")
    private String schemaVersion;
    @JsonPropertyDescription("Where apps send events: http://<name>-ingest.<namespace>.svc")
    private String ingestEndpoint;
    @JsonPropertyDescription("The last pipeline run, from analytics.pipeline_runs.")
    private PipelineRun lastPipelineRun;
    @JsonPropertyDescription("DatabaseReady, SchemaReady, IngestReady, PipelineScheduled, Ready.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public String getDatabaseKind() { return databaseKind; }
    public void setDatabaseKind(String databaseKind) { this.databaseKind = databaseKind; }
    public String getSchemaVersion() { return schemaVersion; }
    public void setSchemaVersion(String schemaVersion) { this.schemaVersion = schemaVersion; }
    public String getIngestEndpoint() { return ingestEndpoint; }
    public void setIngestEndpoint(String ingestEndpoint) { this.ingestEndpoint = ingestEndpoint; }
    public PipelineRun getLastPipelineRun() { return lastPipelineRun; }
    public void setLastPipelineRun(PipelineRun lastPipelineRun) { this.lastPipelineRun = lastPipelineRun; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }

    /** One row of analytics.pipeline_runs, as the status shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PipelineRun {
        @JsonPropertyDescription("running, succeeded or failed.")
        private String status;
        @JsonPropertyDescription("When the run started (RFC 3339).")
        private String startedAt;
        @JsonPropertyDescription("When the run finished (RFC 3339), absent while it runs.")
        private String finishedAt;
        @JsonPropertyDescription("Events the run loaded.")
        private Long eventsLoaded;

        public PipelineRun() {
        }

        public PipelineRun(String status, String startedAt, String finishedAt, Long eventsLoaded) {
            this.status = status;
            this.startedAt = startedAt;
            this.finishedAt = finishedAt;
            this.eventsLoaded = eventsLoaded;
        }

        public String getStatus() { return status; }
        public void setStatus(String status) { this.status = status; }
        public String getStartedAt() { return startedAt; }
        public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
        public String getFinishedAt() { return finishedAt; }
        public void setFinishedAt(String finishedAt) { this.finishedAt = finishedAt; }
        public Long getEventsLoaded() { return eventsLoaded; }
        public void setEventsLoaded(Long eventsLoaded) { this.eventsLoaded = eventsLoaded; }
    }
}
