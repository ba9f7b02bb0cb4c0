package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.spectrum.state.SpectrumState;
import dev.spectrum.operator.spectrum.model.Passwords;
import dev.spectrum.operator.spectrum.model.SecretModel;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * {@code <s>-db-<component>}: a component's login. The password is generated once and kept (a
 * deleted Secret comes back with a new one, which the logins dependent then sets); the connection
 * keys follow the database.
 */
public abstract class LoginSecretDependent extends CRUDKubernetesDependentResource<Secret, Spectrum> {

    private final SpectrumNames.Component component;

    protected LoginSecretDependent(SpectrumNames.Component component) {
        super(Secret.class);
        this.component = component;
    }

    /** By name, without computing the desired Secret (which reads this one for its password). */
    @Override
    protected ResourceID targetSecondaryResourceID(Spectrum spectrum, Context<Spectrum> context) {
        return new ResourceID(new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName())
                .loginSecret(component), spectrum.getMetadata().getNamespace());
    }

    @Override
    protected Secret desired(Spectrum spectrum, Context<Spectrum> context) {
        String password = getSecondaryResource(spectrum, context).map(s -> SecretModel.value(s, "password")).orElseGet(Passwords::generate);
        return SecretModel.login(spectrum, component, SpectrumState.of(context).database().connection(), password);
    }

    public static class Ingest extends LoginSecretDependent {
        public Ingest() {
            super(SpectrumNames.Component.INGEST);
        }
    }

    public static class Pipeline extends LoginSecretDependent {
        public Pipeline() {
            super(SpectrumNames.Component.PIPELINE);
        }
    }

    public static class Reader extends LoginSecretDependent {
        public Reader() {
            super(SpectrumNames.Component.READER);
        }
    }
}
