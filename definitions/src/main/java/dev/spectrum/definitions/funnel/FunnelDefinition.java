package dev.spectrum.definitions.funnel;

import dev.spectrum.definitions.Checks;
import dev.spectrum.definitions.DefinitionDuration;
import dev.spectrum.definitions.filter.Filter;
import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.Definition;
import dev.spectrum.definitions.ViewName;
import dev.spectrum.definitions.ViewShape;
import dev.spectrum.definitions.v1alpha1.Breakdown;
import dev.spectrum.definitions.v1alpha1.CountBy;
import dev.spectrum.definitions.v1alpha1.Exclusion;
import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.definitions.v1alpha1.FunnelOrder;
import dev.spectrum.definitions.v1alpha1.FunnelSpec;
import dev.spectrum.definitions.v1alpha1.FunnelStep;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Funnel checked beyond its schema and with every default applied: what the generator reads.
 * {@link #from} reports every problem at once, each with the field to change.
 */
public record FunnelDefinition(
        String name,
        List<Step> steps,
        FunnelOrder order,
        DefinitionDuration window,
        CountBy countBy,
        Breakdown breakdown,
        List<Exclusion> exclusions,
        DefinitionDuration lookback,
        String schedule) implements Definition {

    /** The shape of every funnel's view: the columns of analytics.mv_conversion_funnels. */
    public static final ViewShape SHAPE = new ViewShape("(granularity, period_start, breakdown, step)",
            new ViewName("mv_conversion_funnels"), "warehouse.no_funnel_rows");

    /** One step with its filters, each value in its text form (semantics.md). */
    public record Step(String event, String name, List<Filter> where) {
    }

    public static FunnelDefinition from(Funnel funnel) {
        List<String> problems = new ArrayList<>();
        Checks.Shared shared = Checks.shared(funnel, problems);
        String name = shared.name();
        FunnelSpec spec = funnel.getSpec();

        List<FunnelStep> rawSteps = spec.getSteps() == null ? List.of() : spec.getSteps();
        if (rawSteps.size() < 2 || rawSteps.size() > 20) {
            problems.add("spec.steps: a funnel has 2 to 20 steps, this one has " + rawSteps.size());
        }
        List<Step> steps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rawSteps.size(); i++) {
            FunnelStep s = rawSteps.get(i);
            String path = "spec.steps[" + i + "]";
            if (s == null || Checks.blank(s.getEvent())) {
                problems.add(path + ".event: is required");
                continue;
            }
            Checks.text(path + ".event", s.getEvent(), problems);
            if (s.getName() != null) {
                Checks.text(path + ".name", s.getName(), problems);
            }
            String display = s.displayName();
            if (!names.add(display)) {
                problems.add(path + ".name: the step name '" + display + "' is used twice (names default to the"
                        + " event); give the repeated step a name of its own");
            }
            steps.add(new Step(s.getEvent(), display, Filter.check(path, s.getWhere(), problems)));
        }

        DefinitionDuration window = Checks.duration("spec.window", spec.getWindow(), "14d", Duration.ofDays(365), problems);
        DefinitionDuration lookback = Checks.duration("spec.lookback", spec.getLookback(), "90d", Duration.ofDays(3650), problems);

        Breakdown breakdown = spec.getBreakdown();
        if (breakdown != null) {
            boolean hasProperty = breakdown.getProperty() != null;
            boolean hasDimension = breakdown.getDimension() != null;
            if (hasProperty == hasDimension) {
                problems.add("spec.breakdown: set exactly one of property and dimension");
            } else if (hasProperty) {
                Checks.text("spec.breakdown.property", breakdown.getProperty(), problems);
            }
        }

        List<Exclusion> exclusions = spec.getExclusions() == null ? List.of() : spec.getExclusions();
        for (int i = 0; i < exclusions.size(); i++) {
            Exclusion x = exclusions.get(i);
            String path = "spec.exclusions[" + i + "]";
            if (Checks.blank(x.getEvent())) {
                problems.add(path + ".event: is required");
            } else {
                Checks.text(path + ".event", x.getEvent(), problems);
            }
            Integer after = x.getAfterStep();
            Integer before = x.getBeforeStep();
            if (after == null || before == null) {
                problems.add(path + ": afterStep and beforeStep are required");
            } else if (after < 1 || before > steps.size() || after >= before) {
                problems.add(path + ": afterStep " + after + " and beforeStep " + before + " must be steps of this funnel"
                        + " (1 to " + steps.size() + ") with afterStep before beforeStep");
            }
        }

        if (!problems.isEmpty()) {
            throw new InvalidDefinitionException("Funnel " + name, problems);
        }
        return new FunnelDefinition(name, List.copyOf(steps),
                spec.getOrder() == null ? FunnelOrder.ordered : spec.getOrder(), window,
                spec.getCountBy() == null ? CountBy.person : spec.getCountBy(), breakdown, List.copyOf(exclusions),
                lookback, shared.schedule());
    }


    /** analytics.funnel_<name> with '-' turned into '_' (data-model.md). */
    @Override
    public ViewName viewName() {
        return ViewName.of("funnel", name);
    }

    @Override
    public String kind() {
        return HasMetadata.getKind(Funnel.class);
    }

    @Override
    public String selectSql() {
        return FunnelSql.select(this);
    }

    @Override
    public ViewShape shape() {
        return SHAPE;
    }
}
