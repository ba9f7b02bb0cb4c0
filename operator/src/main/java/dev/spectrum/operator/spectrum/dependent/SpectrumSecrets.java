package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.spectrum.model.Labels;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Set;

/**
 * One informer for the Secrets every Spectrum's workflow makes (the three logins, write keys,
 * Grafana datasource): the dependents name it with {@code useEventSourceWithName}, so the operator
 * keeps one watch and one cache of them instead of one per dependent. The managed superuser and
 * the CloudNativePG owner Secrets keep their own: java-operator-sdk registers the informer of a
 * dependent with an activation condition only while the condition holds (and fails on a shared
 * one), so the informer of the kind not in use does not run. It sees only the Secrets the operator labelled; each belongs to the
 * Spectrum its instance label names, whether it carries an owner reference (derived Secrets,
 * deletionPolicy Delete) or not (data retained under Retain, adopted by a re-created Spectrum).
 * A Secret the user names (external database, write keys) is not in it: it is read at every reconcile.
 */
public final class SpectrumSecrets {

    public static final String EVENT_SOURCE = "spectrum-secrets";

    private SpectrumSecrets() {
    }

    public static InformerEventSource<Secret, Spectrum> eventSource(EventSourceContext<Spectrum> context) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(Secret.class, Spectrum.class)
                .withName(EVENT_SOURCE)
                .withLabelSelector(Labels.SELECTOR)
                .withSecondaryToPrimaryMapper(SpectrumSecrets::owner)
                .build(), context);
    }

    /** The Spectrum a labelled Secret belongs to: its instance label, in its namespace (none without one). */
    public static Set<ResourceID> owner(Secret secret) {
        var labels = secret.getMetadata().getLabels();
        String instance = labels == null ? null : labels.get(Labels.INSTANCE);
        return instance == null ? Set.of() : Set.of(new ResourceID(instance, secret.getMetadata().getNamespace()));
    }
}
