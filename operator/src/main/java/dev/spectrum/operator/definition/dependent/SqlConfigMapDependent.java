package dev.spectrum.operator.definition.dependent;

import dev.spectrum.definitions.v1alpha1.Experiment;
import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.operator.definition.DefinitionState;
import dev.spectrum.operator.definition.RefreshObjects;
import dev.spectrum.operator.spectrum.model.Labels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * {@code <kind>-<name>-sql}: the definition's generated SQL, published where a person can read it
 * (keys {@code view.sql} and {@code sha256}), owned by the definition (deleted with it). One class
 * for every kind; the small subclasses only name the primary type, since each controller needs a
 * dependent instance (a CDI bean) of its own.
 */
public abstract class SqlConfigMapDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<ConfigMap, R> {

    protected SqlConfigMapDependent() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(R definition, Context<R> context) {
        DefinitionState state = DefinitionState.of(context);
        return RefreshObjects.sqlConfigMap(definition, state.kind(), state.sql(), state.sqlHash());
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class ForFunnel extends SqlConfigMapDependent<Funnel> {
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class ForExperiment extends SqlConfigMapDependent<Experiment> {
    }
}
