package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of an Experiment (written by it, never by users). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExperimentStatus implements DefinitionStatus {

    @JsonPropertyDescription("The generation of the spec this status describes.")
    private Long observedGeneration;
    @JsonPropertyDescription("The experiment's view, e.g. analytics.experiment_new_checkout.")
    private String viewName;
    @JsonPropertyDescription("SHA-256 of the generated SQL that is applied.")
    private String sqlHash;
    @JsonPropertyDescription("When the view was last refreshed.")
    private String lastRefreshTime;
    @JsonPropertyDescription("Persons assigned to a variant.")
    private Long persons;
    @JsonPropertyDescription("The sample-ratio-mismatch p-value over all variants.")
    private Double srmPValue;
    @JsonPropertyDescription("Relative lift of the primary metric (first treatment).")
    private Double primaryLift;
    @JsonPropertyDescription("p-value of the primary metric (first treatment).")
    private Double primaryPValue;
    @JsonPropertyDescription("One per treatment x metric, from the view.")
    private List<Result> results;
    @JsonPropertyDescription("Ready, SampleRatioMismatch and the reasons.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() { return observedGeneration; }
    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
    public String getViewName() { return viewName; }
    public void setViewName(String viewName) { this.viewName = viewName; }
    public String getSqlHash() { return sqlHash; }
    public void setSqlHash(String sqlHash) { this.sqlHash = sqlHash; }
    public String getLastRefreshTime() { return lastRefreshTime; }
    public void setLastRefreshTime(String lastRefreshTime) { this.lastRefreshTime = lastRefreshTime; }
    public Long getPersons() { return persons; }
    public void setPersons(Long persons) { this.persons = persons; }
    public Double getSrmPValue() { return srmPValue; }
    public void setSrmPValue(Double srmPValue) { this.srmPValue = srmPValue; }
    public Double getPrimaryLift() { return primaryLift; }
    public void setPrimaryLift(Double primaryLift) { this.primaryLift = primaryLift; }
    public Double getPrimaryPValue() { return primaryPValue; }
    public void setPrimaryPValue(Double primaryPValue) { this.primaryPValue = primaryPValue; }
    public List<Result> getResults() { return results; }
    public void setResults(List<Result> results) { this.results = results; }
    public List<Condition> getConditions() { return conditions; }
    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }

    /** One treatment x metric. */
    public record Result(String metric, String variant, Double relLift, Double ciLow, Double ciHigh, Double pValue,
                         Double chanceToBeatControl) {
    }
}
