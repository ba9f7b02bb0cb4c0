package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.spectrum.model.DatabaseModel;
import dev.spectrum.operator.spectrum.model.Labels;
import dev.spectrum.operator.spectrum.model.Passwords;
import dev.spectrum.operator.spectrum.model.SecretModel;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/** The managed database's objects: StatefulSet, Service and superuser Secret (active for spec.database.managed only). */
public final class ManagedDatabaseDependents {

    private ManagedDatabaseDependents() {
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class StatefulSetDependent extends CRUDKubernetesDependentResource<StatefulSet, Spectrum> {
        public StatefulSetDependent() {
            super(StatefulSet.class);
        }

        @Override
        protected StatefulSet desired(Spectrum spectrum, Context<Spectrum> context) {
            return DatabaseModel.statefulSet(spectrum);
        }
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class ServiceDependent extends CRUDKubernetesDependentResource<Service, Spectrum> {
        public ServiceDependent() {
            super(Service.class);
        }

        @Override
        protected Service desired(Spectrum spectrum, Context<Spectrum> context) {
            return DatabaseModel.service(spectrum);
        }
    }

    @KubernetesDependent(informer = @Informer(labelSelector = Labels.SELECTOR))
    public static class SuperuserSecretDependent extends CreatedOnceSecretDependent {
        @Override
        protected String name(Spectrum spectrum) {
            return new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName()).superuserSecret();
        }

        @Override
        protected Secret desired(Spectrum spectrum, Context<Spectrum> context) {
            return SecretModel.superuser(spectrum, Passwords.generate(), DatabaseModel.retain(spectrum));
        }
    }

    /** Activation: the Spectrum's database is managed. */
    public static class IsManaged implements Condition<Object, Spectrum> {
        @Override
        public boolean isMet(DependentResource<Object, Spectrum> dependent, Spectrum spectrum, Context<Spectrum> context) {
            return "managed".equals(spectrum.getSpec().getDatabase().kind());
        }
    }
}
