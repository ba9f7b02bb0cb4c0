package dev.spectrum.definitions.v1alpha1;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What every definition's status has (Funnel, Experiment): written by the operator's shared lifecycle. */
public interface DefinitionStatus {

    List<Condition> getConditions();

    void setObservedGeneration(Long observedGeneration);

    void setViewName(String viewName);

    void setSqlHash(String sqlHash);

    void setLastRefreshTime(String lastRefreshTime);
}
