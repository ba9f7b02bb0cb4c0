package dev.spectrum.operator.spectrum.model;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Map;

/** One ConfigMap per dashboard file (key {@code <name>.json}, the file byte for byte), for Grafana's sidecar. */
public final class DashboardModel {

    public static final String COMPONENT = "grafana";

    private DashboardModel() {
    }

    /** {@code name} is the file name without {@code .json}. */
    public static ConfigMap configMap(Spectrum spectrum, String name, String json) {
        SpectrumNames names = new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName());
        ObjectMeta meta = Labels.owned(spectrum, names.dashboardConfigMap(name), COMPONENT);
        meta.getLabels().put("grafana_dashboard", "1");
        return new ConfigMapBuilder().withMetadata(meta).withData(Map.of(name + ".json", json)).build();
    }
}
