package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.spectrum.state.SpectrumState;
import dev.spectrum.operator.spectrum.model.DashboardModel;
import dev.spectrum.operator.spectrum.model.Labels;
import dev.spectrum.operator.spectrum.model.SecretModel;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.CRUDKubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.LinkedHashMap;
import java.util.Map;

/** Grafana: a ConfigMap per dashboard file and the datasource Secret for the reader login. */
public final class GrafanaDependents {

    private GrafanaDependents() {
    }

    /** One ConfigMap per file the operator carries (whatever grafana/dashboards/ held at build). */
    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class DashboardsDependent extends KubernetesDependentResource<ConfigMap, Spectrum>
            implements CRUDKubernetesBulkDependentResource<ConfigMap, Spectrum>, KubernetesBulkDependentResource<ConfigMap, Spectrum>,
            GarbageCollected<Spectrum> {
        public DashboardsDependent() {
            super(ConfigMap.class);
        }

        @Override
        public Map<ResourceID, ConfigMap> desiredResources(Spectrum spectrum, Context<Spectrum> context) {
            Map<ResourceID, ConfigMap> desired = new LinkedHashMap<>();
            DashboardFiles.all().forEach((name, json) -> {
                ConfigMap configMap = DashboardModel.configMap(spectrum, name, json);
                desired.put(ResourceID.fromResource(configMap), configMap);
            });
            return desired;
        }

        /** Only this Spectrum's dashboards (the informer also sees other ConfigMaps the operator labelled). */
        @Override
        public java.util.function.Predicate<ConfigMap> secondaryResourceFilter(Spectrum spectrum, Context<Spectrum> context) {
            return c -> c.getMetadata().getLabels() != null && "1".equals(c.getMetadata().getLabels().get("grafana_dashboard"))
                    && spectrum.getMetadata().getName().equals(c.getMetadata().getLabels().get(Labels.INSTANCE));
        }
    }

    /** Rewritten whenever the reader's password (its source) changes. */
    public static class DatasourceSecretDependent extends CRUDKubernetesDependentResource<Secret, Spectrum> {
        public DatasourceSecretDependent() {
            super(Secret.class);
        }

        @Override
        protected ResourceID targetSecondaryResourceID(Spectrum spectrum, Context<Spectrum> context) {
            return new ResourceID(names(spectrum).datasourceSecret(), spectrum.getMetadata().getNamespace());
        }

        @Override
        protected Secret desired(Spectrum spectrum, Context<Spectrum> context) {
            Secret reader = context.getClient().secrets().inNamespace(spectrum.getMetadata().getNamespace())
                    .withName(names(spectrum).loginSecret(SpectrumNames.Component.READER)).get();
            return SecretModel.datasource(spectrum, SpectrumState.of(context).database().connection(), SecretModel.value(reader, "password"));
        }

        private static SpectrumNames names(Spectrum spectrum) {
            return new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName());
        }
    }

    public static class DashboardsOn implements Condition<ConfigMap, Spectrum> {
        @Override
        public boolean isMet(DependentResource<ConfigMap, Spectrum> dependent, Spectrum spectrum, Context<Spectrum> context) {
            var grafana = spectrum.getSpec().getGrafana();
            return grafana == null || grafana.getDashboards() == null || grafana.getDashboards();
        }
    }

    public static class DatasourceOn implements Condition<Secret, Spectrum> {
        @Override
        public boolean isMet(DependentResource<Secret, Spectrum> dependent, Spectrum spectrum, Context<Spectrum> context) {
            var grafana = spectrum.getSpec().getGrafana();
            return grafana == null || grafana.getDatasource() == null || grafana.getDatasource();
        }
    }
}
