package dev.spectrum.definitions.funnel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spectrum.definitions.DefinitionDuration;
import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.v1alpha1.Breakdown;
import dev.spectrum.definitions.v1alpha1.CountBy;
import dev.spectrum.definitions.v1alpha1.Exclusion;
import dev.spectrum.definitions.v1alpha1.FilterOp;
import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.definitions.v1alpha1.FunnelOrder;
import dev.spectrum.definitions.v1alpha1.FunnelSpec;
import dev.spectrum.definitions.v1alpha1.FunnelStep;
import dev.spectrum.definitions.v1alpha1.PropertyFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

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
        String schedule) {

    /** Resource names: DNS labels of at most 40 characters (crds.md). */
    public static final Pattern NAME = Pattern.compile("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$");
    private static final Pattern DECIMAL = Pattern.compile("^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$");
    private static final int MAX_TEXT = 200;

    /** One step with its filters, each value in its text form (semantics.md). */
    public record Step(String event, String name, List<Filter> where) {
    }

    /** One filter: values as text ({@code value} for single-value operators). */
    public record Filter(String property, FilterOp op, List<String> values) {
        public String value() {
            return values.get(0);
        }
    }

    public static FunnelDefinition from(Funnel funnel) {
        List<String> problems = new ArrayList<>();
        String name = funnel.getMetadata() == null ? null : funnel.getMetadata().getName();
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add("metadata.name: '" + name + "' must be a DNS label of at most 40 characters"
                    + " (lower-case letters, digits and '-', starting with a letter)");
        }
        FunnelSpec spec = funnel.getSpec();
        if (spec == null) {
            throw new InvalidDefinitionException("Funnel " + name, List.of("spec: is required"));
        }
        if (spec.getSpectrumRef() == null || blank(spec.getSpectrumRef().getName())) {
            problems.add("spec.spectrumRef.name: is required (the Spectrum whose database holds the view)");
        }

        List<FunnelStep> rawSteps = spec.getSteps() == null ? List.of() : spec.getSteps();
        if (rawSteps.size() < 2 || rawSteps.size() > 20) {
            problems.add("spec.steps: a funnel has 2 to 20 steps, this one has " + rawSteps.size());
        }
        List<Step> steps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rawSteps.size(); i++) {
            FunnelStep s = rawSteps.get(i);
            String path = "spec.steps[" + i + "]";
            if (s == null || blank(s.getEvent())) {
                problems.add(path + ".event: is required");
                continue;
            }
            text(path + ".event", s.getEvent(), problems);
            if (s.getName() != null) {
                text(path + ".name", s.getName(), problems);
            }
            String display = s.displayName();
            if (!names.add(display)) {
                problems.add(path + ".name: the step name '" + display + "' is used twice (names default to the"
                        + " event); give the repeated step a name of its own");
            }
            steps.add(new Step(s.getEvent(), display, filters(path, s.getWhere(), problems)));
        }

        DefinitionDuration window = duration("spec.window", spec.getWindow(), "14d", Duration.ofDays(365), problems);
        DefinitionDuration lookback = duration("spec.lookback", spec.getLookback(), "90d", Duration.ofDays(3650), problems);

        Breakdown breakdown = spec.getBreakdown();
        if (breakdown != null) {
            boolean hasProperty = breakdown.getProperty() != null;
            boolean hasDimension = breakdown.getDimension() != null;
            if (hasProperty == hasDimension) {
                problems.add("spec.breakdown: set exactly one of property and dimension");
            } else if (hasProperty) {
                text("spec.breakdown.property", breakdown.getProperty(), problems);
            }
        }

        List<Exclusion> exclusions = spec.getExclusions() == null ? List.of() : spec.getExclusions();
        for (int i = 0; i < exclusions.size(); i++) {
            Exclusion x = exclusions.get(i);
            String path = "spec.exclusions[" + i + "]";
            if (blank(x.getEvent())) {
                problems.add(path + ".event: is required");
            } else {
                text(path + ".event", x.getEvent(), problems);
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

        String schedule = spec.getRefresh() == null || spec.getRefresh().getSchedule() == null
                ? "*/5 * * * *" : spec.getRefresh().getSchedule();
        if (!schedule.matches("^\\S+( +\\S+){4}$")) {
            problems.add("spec.refresh.schedule: '" + schedule + "' is not a cron schedule with five fields");
        }

        if (!problems.isEmpty()) {
            throw new InvalidDefinitionException("Funnel " + name, problems);
        }
        return new FunnelDefinition(name, List.copyOf(steps),
                spec.getOrder() == null ? FunnelOrder.ordered : spec.getOrder(), window,
                spec.getCountBy() == null ? CountBy.person : spec.getCountBy(), breakdown, List.copyOf(exclusions),
                lookback, schedule);
    }

    private static List<Filter> filters(String stepPath, List<PropertyFilter> where, List<String> problems) {
        List<Filter> filters = new ArrayList<>();
        if (where == null) {
            return filters;
        }
        for (int j = 0; j < where.size(); j++) {
            PropertyFilter f = where.get(j);
            String path = stepPath + ".where[" + j + "]";
            if (blank(f.getProperty())) {
                problems.add(path + ".property: is required");
                continue;
            }
            text(path + ".property", f.getProperty(), problems);
            if (f.getOp() == null) {
                problems.add(path + ".op: is required (eq, neq, in, not_in, contains, gt, gte, lt, lte, is_set, is_not_set)");
                continue;
            }
            List<String> values = new ArrayList<>();
            switch (f.getOp()) {
                case is_set, is_not_set -> {
                    if (f.getValue() != null || f.getValues() != null) {
                        problems.add(path + ": " + f.getOp() + " takes neither value nor values");
                    }
                }
                case in, not_in -> {
                    if (f.getValue() != null || f.getValues() == null || f.getValues().isEmpty()) {
                        problems.add(path + ": " + f.getOp() + " takes values (a non-empty list), not value");
                    } else {
                        for (int k = 0; k < f.getValues().size(); k++) {
                            scalar(path + ".values[" + k + "]", f.getValues().get(k), values, problems);
                        }
                    }
                }
                default -> {
                    if (f.getValue() == null || f.getValues() != null) {
                        problems.add(path + ": " + f.getOp() + " takes value (one string, number or boolean), not values");
                    } else {
                        scalar(path + ".value", f.getValue(), values, problems);
                        boolean numeric = switch (f.getOp()) {
                            case gt, gte, lt, lte -> true;
                            default -> false;
                        };
                        if (numeric && !values.isEmpty() && !DECIMAL.matcher(values.get(0)).matches()) {
                            problems.add(path + ".value: " + f.getOp() + " compares numbers; '" + values.get(0)
                                    + "' is not a number");
                        }
                    }
                }
            }
            filters.add(new Filter(f.getProperty(), f.getOp(), List.copyOf(values)));
        }
        return filters;
    }

    private static void scalar(String path, JsonNode node, List<String> values, List<String> problems) {
        if (node == null || !(node.isTextual() || node.isNumber() || node.isBoolean())) {
            problems.add(path + ": must be a string, number or boolean");
            return;
        }
        String text = node.isNumber() ? node.numberValue().toString() : node.asText();
        if (node.isBigDecimal() || node.isDouble() || node.isFloat()) {
            text = node.decimalValue().toPlainString();
        }
        text(path, text, problems);
        values.add(text);
    }

    private static DefinitionDuration duration(String path, String text, String fallback, Duration max,
                                               List<String> problems) {
        DefinitionDuration parsed = DefinitionDuration.parse(text == null ? fallback : text);
        if (parsed == null) {
            problems.add(path + ": '" + text + "' is not a duration; write a whole number and m, h or d, such as 7d");
            return null;
        }
        if (parsed.toDuration().compareTo(max) > 0) {
            problems.add(path + ": " + text + " is longer than the most allowed, " + max.toDays() + "d");
        }
        return parsed;
    }

    private static void text(String path, String value, List<String> problems) {
        if (value.indexOf('\0') >= 0) {
            problems.add(path + ": contains a NUL character, which PostgreSQL text cannot hold");
        } else if (value.codePointCount(0, value.length()) > MAX_TEXT) {
            problems.add(path + ": is longer than " + MAX_TEXT + " characters");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    /** analytics.funnel_<name> with '-' turned into '_' (data-model.md). */
    public String viewName() {
        return "funnel_" + name.replace('-', '_');
    }
}
