package dev.spectrum.definitions.experiment;

import dev.spectrum.definitions.Checks;
import dev.spectrum.definitions.DefinitionDuration;
import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.Definition;
import dev.spectrum.definitions.ViewName;
import dev.spectrum.definitions.ViewShape;
import dev.spectrum.definitions.filter.Filter;
import dev.spectrum.definitions.v1alpha1.Experiment;
import dev.spectrum.definitions.v1alpha1.ExperimentSpec;
import dev.spectrum.definitions.v1alpha1.ExperimentSpec.Correction;
import dev.spectrum.definitions.v1alpha1.ExperimentSpec.MetricType;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** An Experiment checked beyond its schema, with every default applied: what the generator reads. */
public record ExperimentDefinition(
        String name,
        String key,
        String exposureEvent,
        String experimentProperty,
        String variantProperty,
        List<Variant> variants,
        String control,
        List<Metric> metrics,
        DefinitionDuration window,
        OffsetDateTime start,
        OffsetDateTime end,
        double alpha,
        Correction correction,
        String schedule) implements Definition {

    /** The shape of every experiment's view: the columns of analytics.mv_experiment_results. */
    public static final ViewShape SHAPE = new ViewShape("(metric, variant)",
            new ViewName("mv_experiment_results"), "warehouse.no_experiment_rows");

    public record Variant(String name, double weight) {
    }

    public record Metric(String name, MetricType type, String event, String property, List<Filter> where) {
    }

    public static ExperimentDefinition from(Experiment experiment) {
        List<String> problems = new ArrayList<>();
        Checks.Shared shared = Checks.shared(experiment, problems);
        String name = shared.name();
        ExperimentSpec spec = experiment.getSpec();
        String key = spec.getKey() == null ? name : spec.getKey();
        if (key != null) {
            Checks.text("spec.key", key, problems);
        }
        var exposure = spec.getExposure();
        String exposureEvent = exposure == null || exposure.getEvent() == null ? "experiment_exposure" : exposure.getEvent();
        String experimentProperty = exposure == null || exposure.getExperimentProperty() == null ? "experiment"
                : exposure.getExperimentProperty();
        String variantProperty = exposure == null || exposure.getVariantProperty() == null ? "variant"
                : exposure.getVariantProperty();
        Checks.text("spec.exposure.event", exposureEvent, problems);
        Checks.text("spec.exposure.experimentProperty", experimentProperty, problems);
        Checks.text("spec.exposure.variantProperty", variantProperty, problems);

        List<Variant> variants = new ArrayList<>();
        Set<String> variantNames = new HashSet<>();
        var rawVariants = spec.getVariants() == null ? List.<ExperimentSpec.Variant>of() : spec.getVariants();
        if (rawVariants.size() < 2 || rawVariants.size() > 10) {
            problems.add("spec.variants: an experiment has 2 to 10 variants, this one has " + rawVariants.size());
        }
        for (int i = 0; i < rawVariants.size(); i++) {
            var v = rawVariants.get(i);
            String path = "spec.variants[" + i + "]";
            if (Checks.blank(v.getName())) {
                problems.add(path + ".name: is required");
                continue;
            }
            Checks.text(path + ".name", v.getName(), problems);
            if (!variantNames.add(v.getName())) {
                problems.add(path + ".name: the variant '" + v.getName() + "' is listed twice");
            }
            if (v.getWeight() == null || !(v.getWeight() > 0) || v.getWeight().isInfinite()) {
                problems.add(path + ".weight: must be a positive number (the variant's intended share)");
            }
            variants.add(new Variant(v.getName(), v.getWeight() == null ? 0 : v.getWeight()));
        }
        String control = spec.getControl() == null ? (variants.isEmpty() ? null : variants.get(0).name()) : spec.getControl();
        if (control != null && !variantNames.contains(control)) {
            problems.add("spec.control: '" + control + "' is not one of the variants " + variantNames.stream().sorted().toList());
        }

        List<Metric> metrics = new ArrayList<>();
        Set<String> metricNames = new HashSet<>();
        var rawMetrics = spec.getMetrics() == null ? List.<ExperimentSpec.Metric>of() : spec.getMetrics();
        if (rawMetrics.isEmpty() || rawMetrics.size() > 20) {
            problems.add("spec.metrics: an experiment has 1 to 20 metrics, this one has " + rawMetrics.size());
        }
        for (int i = 0; i < rawMetrics.size(); i++) {
            var m = rawMetrics.get(i);
            String path = "spec.metrics[" + i + "]";
            if (Checks.blank(m.getName()) || Checks.blank(m.getEvent()) || m.getType() == null) {
                problems.add(path + ": name, type and event are required");
                continue;
            }
            Checks.text(path + ".name", m.getName(), problems);
            Checks.text(path + ".event", m.getEvent(), problems);
            if (!metricNames.add(m.getName())) {
                problems.add(path + ".name: the metric '" + m.getName() + "' is listed twice");
            }
            if (m.getType() == MetricType.sum && Checks.blank(m.getProperty())) {
                problems.add(path + ".property: a sum metric needs the numeric property to add up");
            }
            if (m.getProperty() != null) {
                Checks.text(path + ".property", m.getProperty(), problems);
            }
            metrics.add(new Metric(m.getName(), m.getType(), m.getEvent(), m.getProperty(),
                    Filter.check(path, m.getWhere(), problems)));
        }

        DefinitionDuration window = Checks.duration("spec.window", spec.getWindow(), "14d", Duration.ofDays(365), problems);
        OffsetDateTime start = time("spec.start", spec.getStart(), problems);
        OffsetDateTime end = time("spec.end", spec.getEnd(), problems);
        if (start != null && end != null && !start.isBefore(end)) {
            problems.add("spec.end: must be after spec.start");
        }
        double alpha = 0.05;
        Correction correction = Correction.none;
        if (spec.getStats() != null) {
            if (spec.getStats().getAlpha() != null) {
                alpha = spec.getStats().getAlpha();
                if (!(alpha > 0 && alpha < 0.5)) {
                    problems.add("spec.stats.alpha: must be between 0 and 0.5 (exclusive), such as 0.05");
                }
            }
            if (spec.getStats().getCorrection() != null) {
                correction = spec.getStats().getCorrection();
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidDefinitionException("Experiment " + name, problems);
        }
        return new ExperimentDefinition(name, key, exposureEvent, experimentProperty, variantProperty, List.copyOf(variants),
                control, List.copyOf(metrics), window, start, end, alpha, correction, shared.schedule());
    }

    private static OffsetDateTime time(String path, String text, List<String> problems) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            problems.add(path + ": '" + text + "' is not an RFC 3339 time with an offset, such as 2026-11-01T00:00:00Z");
            return null;
        }
    }

    /** analytics.experiment_<name> with '-' turned into '_' (data-model.md). */
    @Override
    public ViewName viewName() {
        return ViewName.of("experiment", name);
    }

    @Override
    public String kind() {
        return HasMetadata.getKind(Experiment.class);
    }

    @Override
    public String selectSql() {
        return ExperimentSql.select(this);
    }

    @Override
    public ViewShape shape() {
        return SHAPE;
    }
}
