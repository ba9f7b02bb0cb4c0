package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.spectrum.model.DatabaseModel;
import dev.spectrum.operator.spectrum.model.IngestModel;
import dev.spectrum.operator.spectrum.model.Passwords;
import dev.spectrum.operator.spectrum.model.SecretModel;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/** The write keys Secret: created with one generated key named default when absent, never changed. */
public class WriteKeysSecretDependent extends CreatedOnceSecretDependent {

    @Override
    protected String name(Spectrum spectrum) {
        return IngestModel.writeKeysSecret(spectrum);
    }

    @Override
    protected Secret desired(Spectrum spectrum, Context<Spectrum> context) {
        return SecretModel.writeKeys(spectrum, name(spectrum), Passwords.writeKey(), DatabaseModel.retain(spectrum));
    }
}
