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
    @JsonPropertyDescription("The schema version the database is at.")
    private String schemaVersion;
    @JsonPropertyDescription("Where apps send events (once the ingest Deployment is handled).")
    private String ingestEndpoint;
    @JsonPropertyDescription("DatabaseReady, SchemaReady, IngestReady, PipelineScheduled, Ready.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public String getSchemaVersion() { return schemaVersion; }
    public void setSchemaVersion(String schemaVersion) { this.schemaVersion = schemaVersion; }
    public String getIngestEndpoint() { return ingestEndpoint; }
    public void setIngestEndpoint(String ingestEndpoint) { this.ingestEndpoint = ingestEndpoint; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
}
