package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Optional;

/**
 * A generated Secret that is created when absent and never changed afterwards (write keys, the
 * managed superuser, the CloudNativePG owner). It carries an owner reference only under
 * deletionPolicy Delete (the builder decides), so under Retain it outlives the Spectrum and a
 * re-created one adopts it. A Secret of that name the operator did not label (the user's own write
 * keys) is found by a direct read and left alone.
 */
public abstract class CreatedOnceSecretDependent extends KubernetesDependentResource<Secret, Spectrum> implements Creator<Secret, Spectrum> {

    protected CreatedOnceSecretDependent() {
        super(Secret.class);
    }

    protected abstract String name(Spectrum spectrum);

    @Override
    protected ResourceID targetSecondaryResourceID(Spectrum spectrum, Context<Spectrum> context) {
        return new ResourceID(name(spectrum), spectrum.getMetadata().getNamespace());
    }

    @Override
    public Optional<Secret> getSecondaryResource(Spectrum spectrum, Context<Spectrum> context) {
        Optional<Secret> cached = super.getSecondaryResource(spectrum, context);
        if (cached.isPresent()) {
            return cached;
        }
        return Optional.ofNullable(context.getClient().secrets().inNamespace(spectrum.getMetadata().getNamespace())
                .withName(name(spectrum)).get());
    }
}
