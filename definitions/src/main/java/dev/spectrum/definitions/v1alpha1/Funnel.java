package dev.spectrum.definitions.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A conversion funnel: ordered steps people take, turned into the materialized view
 * {@code analytics.funnel_<name>} (crds.md, semantics.md).
 */
@Group(Funnel.GROUP)
@Version(Funnel.VERSION)
@Kind("Funnel")
@Plural("funnels")
@ShortNames("fnl")
@AdditionalPrinterColumn(name = "Order", jsonPath = ".spec.order", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Window", jsonPath = ".spec.window", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Conversion", jsonPath = ".status.overallConversion", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Funnel extends CustomResource<FunnelSpec, FunnelStatus> implements Namespaced {

    public static final String GROUP = "spectrum.dev";
    public static final String VERSION = "v1alpha1";
}
