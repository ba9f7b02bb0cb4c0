package dev.spectrum.operator.spectrum.model;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels and metadata every object a Spectrum owns carries (crds.md). */
public final class Labels {

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String OPERATOR = "spectrum-operator";
    /** The label selector of the operator's informers: only objects it made are watched. */
    public static final String SELECTOR = MANAGED_BY + "=" + OPERATOR;
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String COMPONENT = "app.kubernetes.io/component";

    private Labels() {
    }

    public static Map<String, String> of(String instance, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "spectrum");
        labels.put(INSTANCE, instance);
        labels.put(COMPONENT, component);
        labels.put("app.kubernetes.io/part-of", "spectrum");
        labels.put(MANAGED_BY, OPERATOR);
        return labels;
    }

    /** The pods' selector: instance and component (stable across upgrades). */
    public static Map<String, String> selector(String instance, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "spectrum");
        labels.put(INSTANCE, instance);
        labels.put(COMPONENT, component);
        return labels;
    }

    /** Metadata of an object the Spectrum owns (owner reference: deleted with it). */
    public static ObjectMeta owned(Spectrum spectrum, String name, String component) {
        return new ObjectMetaBuilder().withName(name).withNamespace(spectrum.getMetadata().getNamespace())
                .withLabels(of(spectrum.getMetadata().getName(), component))
                .withOwnerReferences(ownerReference(spectrum)).build();
    }

    /** Metadata of data that outlives the Spectrum under deletionPolicy Retain (no owner reference then). */
    public static ObjectMeta data(Spectrum spectrum, String name, String component, boolean retain) {
        ObjectMeta meta = owned(spectrum, name, component);
        if (retain) {
            meta.setOwnerReferences(null);
        }
        return meta;
    }

    public static OwnerReference ownerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }
}
