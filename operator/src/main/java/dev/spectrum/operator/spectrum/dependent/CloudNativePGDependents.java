package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.spectrum.model.CloudNativePGCluster;
import dev.spectrum.operator.spectrum.model.DatabaseModel;
import dev.spectrum.operator.spectrum.model.Labels;
import dev.spectrum.operator.spectrum.model.Passwords;
import dev.spectrum.operator.spectrum.model.SecretModel;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The CloudNativePG Cluster and its owner Secret (active for spec.database.cloudNativePG; the
 * Cluster only while CloudNativePG's CRD is installed, read at each reconcile, so installing
 * CloudNativePG later needs no restart and no informer runs for a CRD that is absent).
 */
public final class CloudNativePGDependents {

    private CloudNativePGDependents() {
    }

    /** Owner reference only under deletionPolicy Delete (the builder decides): the data is retained by default. */
    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class ClusterDependent extends KubernetesDependentResource<CloudNativePGCluster, Spectrum>
            implements Creator<CloudNativePGCluster, Spectrum>, Updater<CloudNativePGCluster, Spectrum> {
        public ClusterDependent() {
            super(CloudNativePGCluster.class);
        }

        @Override
        protected CloudNativePGCluster desired(Spectrum spectrum, Context<Spectrum> context) {
            return DatabaseModel.cluster(spectrum);
        }
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class OwnerSecretDependent extends CreatedOnceSecretDependent {
        @Override
        protected String name(Spectrum spectrum) {
            return new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName()).ownerSecret();
        }

        @Override
        protected Secret desired(Spectrum spectrum, Context<Spectrum> context) {
            return SecretModel.owner(spectrum, Passwords.generate(), DatabaseModel.retain(spectrum));
        }
    }

    /** Activation of the owner Secret: the database is CloudNativePG. */
    public static class IsCloudNativePG implements Condition<Object, Spectrum> {
        @Override
        public boolean isMet(DependentResource<Object, Spectrum> dependent, Spectrum spectrum, Context<Spectrum> context) {
            return "cloudNativePG".equals(spectrum.getSpec().getDatabase().kind());
        }
    }

    /** Activation of the Cluster: the database is CloudNativePG and its CRD is installed. */
    public static class IsCloudNativePGInstalled implements Condition<Object, Spectrum> {
        @Override
        public boolean isMet(DependentResource<Object, Spectrum> dependent, Spectrum spectrum, Context<Spectrum> context) {
            return "cloudNativePG".equals(spectrum.getSpec().getDatabase().kind()) && context.getClient().apiextensions().v1()
                    .customResourceDefinitions().withName(CloudNativePGCluster.CRD).get() != null;
        }
    }
}
