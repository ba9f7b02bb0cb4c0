package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.spectrum.model.IngestModel;
import dev.spectrum.operator.spectrum.model.Labels;
import dev.spectrum.operator.spectrum.model.SecretModel;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The ingest service: Deployment, Service and (when autoscaling is set) HorizontalPodAutoscaler. */
public final class IngestDependents {

    private IngestDependents() {
    }

    /** The pod template carries a hash of the ingest login and write keys Secrets: a changed Secret rolls the pods. */
    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class DeploymentDependent extends CRUDKubernetesDependentResource<Deployment, Spectrum> {
        public DeploymentDependent() {
            super(Deployment.class);
        }

        @Override
        protected Deployment desired(Spectrum spectrum, Context<Spectrum> context) {
            String namespace = spectrum.getMetadata().getNamespace();
            var names = new SpectrumNames(namespace, spectrum.getMetadata().getName());
            var secrets = context.getClient().secrets().inNamespace(namespace);
            String hash = SecretModel.contentHash(secrets.withName(names.loginSecret(SpectrumNames.Component.INGEST)).get(),
                    secrets.withName(IngestModel.writeKeysSecret(spectrum)).get());
            return IngestModel.deployment(spectrum, Settings.ingestImage(), IngestModel.writeKeysSecret(spectrum), hash);
        }
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class ServiceDependent extends CRUDKubernetesDependentResource<Service, Spectrum> {
        public ServiceDependent() {
            super(Service.class);
        }

        @Override
        protected Service desired(Spectrum spectrum, Context<Spectrum> context) {
            return IngestModel.service(spectrum);
        }
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class AutoscalerDependent extends CRUDKubernetesDependentResource<HorizontalPodAutoscaler, Spectrum> {
        public AutoscalerDependent() {
            super(HorizontalPodAutoscaler.class);
        }

        @Override
        protected HorizontalPodAutoscaler desired(Spectrum spectrum, Context<Spectrum> context) {
            return IngestModel.autoscaler(spectrum);
        }
    }

    /** Precondition of the autoscaler: spec.ingest.autoscaling is set (switched off: the autoscaler is deleted). */
    public static class AutoscalingOn implements Condition<HorizontalPodAutoscaler, Spectrum> {
        @Override
        public boolean isMet(DependentResource<HorizontalPodAutoscaler, Spectrum> dependent, Spectrum spectrum, Context<Spectrum> context) {
            return IngestModel.autoscaled(spectrum);
        }
    }
}
