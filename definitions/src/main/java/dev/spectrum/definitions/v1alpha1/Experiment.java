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
 * An A/B test: variants assigned from exposure events, metrics per person, and the statistics
 * of semantics.md (Experiments), in the materialized view {@code analytics.experiment_<name>}.
 */
@Group(Funnel.GROUP)
@Version(Funnel.VERSION)
@Kind("Experiment")
@Plural("experiments")
@ShortNames("exp")
@AdditionalPrinterColumn(name = "Variants", jsonPath = ".spec.variants[*].name", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Persons", jsonPath = ".status.persons", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Lift", jsonPath = ".status.primaryLift", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "P-value", jsonPath = ".status.primaryPValue", type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(name = "SRM", jsonPath = ".status.conditions[?(@.type==\"SampleRatioMismatch\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
public class Experiment extends CustomResource<ExperimentSpec, ExperimentStatus> implements Namespaced {
}
