package dev.spectrum.definitions.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One Spectrum installation: its database, ingest, pipeline and dashboards (crds.md). */
@Group(Funnel.GROUP)
@Version(Funnel.VERSION)
@Kind("Spectrum")
@Plural("spectrums")
@ShortNames("spx")
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Database", jsonPath = ".status.databaseKind", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Schema", jsonPath = ".status.schemaVersion", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Endpoint", jsonPath = ".status.ingestEndpoint", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Pipeline", jsonPath = ".status.lastPipelineRun.status", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Last run", jsonPath = ".status.lastPipelineRun.startedAt", type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class Spectrum extends CustomResource<SpectrumSpec, SpectrumStatus> implements Namespaced {
}
