package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed of a Funnel (written by it, never by users). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FunnelStatus implements DefinitionStatus {

    @JsonPropertyDescription("The generation of the spec this status describes.")
    private Long observedGeneration;

    @JsonPropertyDescription("The funnel's view, e.g. analytics.funnel_checkout.")
    private String viewName;

    @JsonPropertyDescription("SHA-256 of the generated SQL that is applied.")
    private String sqlHash;

    @JsonPropertyDescription("When the view was last refreshed.")
    private String lastRefreshTime;

    @JsonPropertyDescription("Persons who reached the last step / persons at step 1, over the whole lookback.")
    private Double overallConversion;

    @JsonPropertyDescription("Per step, from the total row; omitted when the funnel has a breakdown.")
    private List<StepResult> steps;

    @JsonPropertyDescription("Ready and the reasons when not.")
    private List<Condition> conditions = new ArrayList<>();

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public String getViewName() {
        return viewName;
    }

    public void setViewName(String viewName) {
        this.viewName = viewName;
    }

    public String getSqlHash() {
        return sqlHash;
    }

    public void setSqlHash(String sqlHash) {
        this.sqlHash = sqlHash;
    }

    public String getLastRefreshTime() {
        return lastRefreshTime;
    }

    public void setLastRefreshTime(String lastRefreshTime) {
        this.lastRefreshTime = lastRefreshTime;
    }

    public Double getOverallConversion() {
        return overallConversion;
    }

    public void setOverallConversion(Double overallConversion) {
        this.overallConversion = overallConversion;
    }

    public List<StepResult> getSteps() {
        return steps;
    }

    public void setSteps(List<StepResult> steps) {
        this.steps = steps;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    /** One step's numbers from the total row. */
    public record StepResult(
            @JsonPropertyDescription("The step's name.") String name,
            @JsonPropertyDescription("Persons who reached it.") Long persons,
            @JsonPropertyDescription("persons / persons at step 1.") Double conversionRate) {
    }
}
