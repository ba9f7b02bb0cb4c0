package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** What an Experiment compares. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ExperimentSpec implements DefinitionSpec {

    @Required
    @JsonPropertyDescription("The Spectrum installation (in the same namespace) whose database holds the view.")
    private SpectrumRef spectrumRef;

    @Size(min = 1, max = 200)
    @JsonPropertyDescription("The experiment property's value on exposure events (default: metadata.name).")
    private String key;

    @JsonPropertyDescription("How exposures are recognised.")
    private Exposure exposure;

    @Required
    @Size(min = 2, max = 10)
    @JsonPropertyDescription("2 to 10 variants; weights are the intended split, used by the sample-ratio-mismatch test.")
    private List<Variant> variants = new ArrayList<>();

    @Size(min = 1, max = 200)
    @JsonPropertyDescription("The control variant (default: the first).")
    private String control;

    @Required
    @Size(min = 1, max = 20)
    @JsonPropertyDescription("1 to 20 metrics; the first is the primary one.")
    private List<Metric> metrics = new ArrayList<>();

    @Default("14d")
    @Pattern(FunnelSpec.DURATION)
    @JsonPropertyDescription("Metric events count from a person's first exposure up to this long after (m, h, d).")
    private String window;

    @JsonPropertyDescription("Exposures before this time (RFC 3339) are ignored.")
    private String start;

    @JsonPropertyDescription("Exposures and metric events from this time (RFC 3339) on are ignored.")
    private String end;

    @JsonPropertyDescription("Significance level and multiple-comparison correction.")
    private Stats stats;

    @JsonPropertyDescription("When the view is refreshed.")
    private Refresh refresh;

    public SpectrumRef getSpectrumRef() { return spectrumRef; }
    public void setSpectrumRef(SpectrumRef spectrumRef) { this.spectrumRef = spectrumRef; }
    public String getKey() { return key; }
    public void setKey(String key) { this.key = key; }
    public Exposure getExposure() { return exposure; }
    public void setExposure(Exposure exposure) { this.exposure = exposure; }
    public List<Variant> getVariants() { return variants; }
    public void setVariants(List<Variant> variants) { this.variants = variants; }
    public String getControl() { return control; }
    public void setControl(String control) { this.control = control; }
    public List<Metric> getMetrics() { return metrics; }
    public void setMetrics(List<Metric> metrics) { this.metrics = metrics; }
    public String getWindow() { return window; }
    public void setWindow(String window) { this.window = window; }
    public String getStart() { return start; }
    public void setStart(String start) { this.start = start; }
    public String getEnd() { return end; }
    public void setEnd(String end) { this.end = end; }
    public Stats getStats() { return stats; }
    public void setStats(Stats stats) { this.stats = stats; }
    public Refresh getRefresh() { return refresh; }
    public void setRefresh(Refresh refresh) { this.refresh = refresh; }

    /** The exposure events of the experiment. */
    public static class Exposure {
        @Default("experiment_exposure")
        @Size(min = 1, max = 200)
        @JsonPropertyDescription("The exposure event type.")
        private String event;

        @Default("experiment")
        @Size(min = 1, max = 200)
        @JsonPropertyDescription("The property that names the experiment.")
        private String experimentProperty;

        @Default("variant")
        @Size(min = 1, max = 200)
        @JsonPropertyDescription("The property that names the variant.")
        private String variantProperty;

        public String getEvent() { return event; }
        public void setEvent(String event) { this.event = event; }
        public String getExperimentProperty() { return experimentProperty; }
        public void setExperimentProperty(String experimentProperty) { this.experimentProperty = experimentProperty; }
        public String getVariantProperty() { return variantProperty; }
        public void setVariantProperty(String variantProperty) { this.variantProperty = variantProperty; }
    }

    /** One variant and its intended share. */
    public static class Variant {
        @Required
        @Size(min = 1, max = 200)
        @JsonPropertyDescription("The variant property's value.")
        private String name;

        @Required
        @io.fabric8.generator.annotation.Min(value = 0, inclusive = false)
        @JsonPropertyDescription("The intended share (any positive number; shares are relative).")
        private Double weight;

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public Double getWeight() { return weight; }
        public void setWeight(Double weight) { this.weight = weight; }
    }

    /** One metric, per person. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public static class Metric {
        @Required
        @Size(min = 1, max = 200)
        @JsonPropertyDescription("The metric's name.")
        private String name;

        @Required
        @JsonPropertyDescription("conversion (0/1), count (events) or sum (of a numeric property).")
        private MetricType type;

        @Required
        @Size(min = 1, max = 200)
        @JsonPropertyDescription("The event type counted.")
        private String event;

        @Size(min = 1, max = 200)
        @JsonPropertyDescription("The numeric property summed (sum only).")
        private String property;

        @JsonPropertyDescription("Filters on the event's properties, as for Funnel steps.")
        private List<PropertyFilter> where = new ArrayList<>();

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public MetricType getType() { return type; }
        public void setType(MetricType type) { this.type = type; }
        public String getEvent() { return event; }
        public void setEvent(String event) { this.event = event; }
        public String getProperty() { return property; }
        public void setProperty(String property) { this.property = property; }
        public List<PropertyFilter> getWhere() { return where; }
        public void setWhere(List<PropertyFilter> where) { this.where = where; }
    }

    /** Metric types (lower case: these are the values users write). */
    public enum MetricType { conversion, count, sum }

    /** Significance level and correction. */
    public static class Stats {
        @Default("0.05")
        @io.fabric8.generator.annotation.Min(value = 0, inclusive = false)
        @io.fabric8.generator.annotation.Max(value = 0.5, inclusive = false)
        @JsonPropertyDescription("The significance level, between 0 and 0.5 (default 0.05).")
        private Double alpha;

        @Default("none")
        @JsonPropertyDescription("none, holm or benjamini-hochberg, over all treatment x metric p-values.")
        private Correction correction;

        public Double getAlpha() { return alpha; }
        public void setAlpha(Double alpha) { this.alpha = alpha; }
        public Correction getCorrection() { return correction; }
        public void setCorrection(Correction correction) { this.correction = correction; }
    }

    /** Multiple-comparison corrections. */
    public enum Correction {
        none, holm,
        @com.fasterxml.jackson.annotation.JsonProperty("benjamini-hochberg") benjamini_hochberg
    }
}
