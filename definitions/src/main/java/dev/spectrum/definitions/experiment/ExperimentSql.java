package dev.spectrum.definitions.experiment;

import static dev.spectrum.definitions.sql.SqlText.literal;

import dev.spectrum.definitions.experiment.ExperimentDefinition.Metric;
import dev.spectrum.definitions.experiment.ExperimentDefinition.Variant;
import dev.spectrum.definitions.filter.Filter;
import dev.spectrum.definitions.v1alpha1.ExperimentSpec.MetricType;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.StringJoiner;

/**
 * The one generator of an experiment's SQL: the SELECT of {@code analytics.experiment_<name>},
 * with the columns of {@code analytics.mv_experiment_results}, following semantics.md
 * (Experiments: GrowthBook's frequentist engine). Pure: definition in, SQL text out; every
 * value from the definition is a literal made by SqlText.literal or a number Java formatted.
 * One method per CTE, in the order of the query, so the text reads like the SQL it makes.
 */
public final class ExperimentSql {

    private final ExperimentDefinition x;

    private ExperimentSql(ExperimentDefinition x) {
        this.x = x;
    }

    public static String select(ExperimentDefinition experiment) {
        return new ExperimentSql(experiment).build();
    }

    /*
     * The shape, chosen so that its speed does not depend on row estimates (issue #17): the JSON
     * property filters make the planner guess a handful of exposed persons, and a join of those
     * persons back to event_stream then became a nested loop over the events, once per person.
     * Here nothing joins persons to events:
     *   stream         one pass over event_stream: every exposure and every metric's matching
     *                  event, each row flagged with what it is
     *   timed          each row with its person's first exposure t0, by a window over the person
     *   assigned       one row per assigned person: the variant and each metric's events and
     *                  total in the window, by one GROUP BY over the same order
     *   person_values  every assigned person's value of every metric
     * then the statistics over those values (grid ... srm), each CTE a step of semantics.md.
     */
    private String build() {
        List<String> ctes = new ArrayList<>();
        ctes.add(stream());
        ctes.add(timed());
        ctes.add(assigned());
        ctes.add(personValues());
        ctes.add(grid());
        ctes.add(perVariant());
        ctes.add(lifts());
        ctes.add(errors());
        ctes.add(tested());
        ctes.add(ranked());
        ctes.add(adjusted());
        ctes.add(srm());
        return "WITH " + String.join(", ", ctes) + "\n" + results();
    }

    /** {@code name AS (   -- comment}, the body's lines, {@code )}. */
    private static String cte(String name, String comment, String body) {
        return name + " AS (" + (comment == null ? "" : "   -- " + comment) + "\n" + body + ")";
    }

    /** Exposure to a variant of the spec, between start and end (an exposure event of the spec's key). */
    private String exposure() {
        var variantNames = new StringJoiner(", ", "ARRAY[", "]::text[]");
        x.variants().forEach(v -> variantNames.add(literal(v.name())));
        var condition = new StringBuilder()
                .append("e.event_type = ").append(literal(x.exposureEvent()))
                .append(" AND (e.properties ->> ").append(literal(x.experimentProperty())).append(") = ").append(literal(x.key()))
                .append(" AND (e.properties ->> ").append(literal(x.variantProperty())).append(") = ANY (").append(variantNames).append(')');
        if (x.start() != null) {
            condition.append(" AND e.occurred_at >= ").append(time(x.start()));
        }
        if (x.end() != null) {
            condition.append(" AND e.occurred_at < ").append(time(x.end()));
        }
        return condition.toString();
    }

    /** An event matching metric m: its event type and every where filter. */
    private static String matches(Metric m) {
        var condition = new StringBuilder("e.event_type = ").append(literal(m.event()));
        for (Filter f : m.where()) {
            condition.append(" AND ").append(f.sql("e.properties"));
        }
        return condition.toString();
    }

    /** stream: one pass over the events; a row per exposure or matching metric event, flagged. */
    private String stream() {
        var types = new LinkedHashSet<String>();
        types.add(x.exposureEvent());
        x.metrics().forEach(m -> types.add(m.event()));
        var typeList = new StringJoiner(", ", "ARRAY[", "]::text[]");
        types.forEach(t -> typeList.add(literal(t)));
        var body = new StringBuilder()
                .append("    SELECT e.person, e.occurred_at AS t,\n")
                .append("           CASE WHEN ").append(exposure()).append("\n")
                .append("                THEN e.properties ->> ").append(literal(x.variantProperty())).append(" END AS variant");
        var any = new StringJoiner("\n        OR ", "      AND (", ")\n");
        any.add(exposure());
        for (int i = 1; i <= x.metrics().size(); i++) {
            Metric m = x.metrics().get(i - 1);
            body.append(",\n           coalesce(").append(matches(m)).append(", false) AS m").append(i);
            if (m.property() != null) {
                body.append(",\n           warehouse.json_number(e.properties -> ").append(literal(m.property())).append(") AS v").append(i);
            }
            any.add(matches(m));
        }
        body.append("\n    FROM warehouse.event_stream e\n")
                .append("    WHERE e.event_type = ANY (").append(typeList).append(")\n")
                .append(any);
        return cte("stream", "one pass over the events: exposures (with their variant) and each metric's matching events", body.toString());
    }

    /** timed: each row with its person's first exposure t0 and whether it lies in the metric window. */
    private String timed() {
        var body = new StringBuilder()
                .append("    SELECT s.*, s.t >= s.t0 AND s.t <= s.t0 + ").append(x.window().toSqlInterval());
        if (x.end() != null) {
            body.append(" AND s.t < ").append(time(x.end()));
        }
        body.append(" AS in_window\n")
                .append("    FROM (SELECT s.*, min(s.t) FILTER (WHERE s.variant IS NOT NULL) OVER (PARTITION BY s.person) AS t0\n")
                .append("          FROM stream s) s\n")
                .append("    WHERE s.t0 IS NOT NULL\n");
        return cte("timed", "each row with its person's first exposure t0 (a window over the person, no join)", body.toString());
    }

    /** assigned: one row per person with one variant (exposed to two: left out), with each metric's events and total. */
    private String assigned() {
        var body = new StringBuilder("    SELECT person, min(variant) AS variant, min(t0) AS t0");
        for (int i = 1; i <= x.metrics().size(); i++) {
            Metric m = x.metrics().get(i - 1);
            body.append(",\n           count(*) FILTER (WHERE m").append(i).append(" AND in_window) AS events").append(i)
                    .append(", ")
                    .append(m.property() == null ? "0::numeric"
                            : "coalesce(sum(v" + i + ") FILTER (WHERE m" + i + " AND in_window), 0)")
                    .append(" AS total").append(i);
        }
        body.append("\n    FROM timed\n")
                .append("    GROUP BY person\n")
                .append("    HAVING min(variant) = max(variant)\n");
        return cte("assigned", "one variant per person (exposed to two: left out); each metric's events from t0 to t0 + window",
                body.toString());
    }

    /** person_values: every assigned person's value of every metric. */
    private String personValues() {
        var body = new StringBuilder();
        for (int i = 1; i <= x.metrics().size(); i++) {
            String value = switch (x.metrics().get(i - 1).type()) {
                case conversion -> "CASE WHEN a.events" + i + " > 0 THEN 1 ELSE 0 END";
                case count -> "a.events" + i;
                case sum -> "a.total" + i;
            };
            body.append(i == 1 ? "" : "    UNION ALL\n")
                    .append("    SELECT ").append(i).append(" AS metric_no, a.variant, (").append(value).append(")::double precision AS value\n")
                    .append("    FROM assigned a\n");
        }
        return cte("person_values", "every assigned person's value of every metric", body.toString());
    }

    /** Every metric × variant, with the variant's weight and whether it is the control. */
    private String grid() {
        var metricRows = new StringJoiner(", ");
        for (int i = 1; i <= x.metrics().size(); i++) {
            Metric m = x.metrics().get(i - 1);
            metricRows.add("(" + i + ", " + literal(m.name()) + "::text, " + (m.type() == MetricType.conversion) + ")");
        }
        var variantRows = new StringJoiner(", ");
        for (int i = 1; i <= x.variants().size(); i++) {
            Variant v = x.variants().get(i - 1);
            variantRows.add("(" + i + ", " + literal(v.name()) + "::text, " + number(v.weight()) + "::double precision, "
                    + v.name().equals(x.control()) + ")");
        }
        return cte("grid (metric_no, metric, conversion, variant_no, variant, weight, is_control)", null,
                "    SELECT m.*, v.* FROM (VALUES " + metricRows + ") AS m\n"
                        + "    CROSS JOIN (VALUES " + variantRows + ") AS v\n");
    }

    private String perVariant() {
        return cte("per_variant", "n, mean, variance (m(1 - m) for conversions, sample variance otherwise)", """
                    SELECT g.metric_no, g.metric, g.variant_no, g.variant, g.weight, g.is_control,
                           count(p.value) AS n, avg(p.value) AS mean,
                           CASE WHEN g.conversion THEN avg(p.value) * (1 - avg(p.value)) ELSE var_samp(p.value) END AS v
                    FROM grid g
                    LEFT JOIN person_values p ON p.metric_no = g.metric_no AND p.variant = g.variant
                    GROUP BY g.metric_no, g.metric, g.variant_no, g.variant, g.weight, g.is_control, g.conversion
                """);
    }

    private String lifts() {
        return cte("lifts", "against the control: delta-method standard error of the relative lift, Welch df", """
                    SELECT t.*, c.n AS n_c, c.mean AS m_c, c.v AS v_c,
                           NOT t.is_control AND t.n >= 2 AND c.n >= 2 AND c.mean <> 0 AS comparable
                    FROM per_variant t JOIN per_variant c ON c.metric_no = t.metric_no AND c.is_control
                """);
    }

    private String errors() {
        return cte("errors", null, """
                    SELECT l.*,
                           CASE WHEN comparable THEN mean - m_c END AS abs_lift,
                           CASE WHEN comparable THEN (mean - m_c) / abs(m_c) END AS rel_lift,
                           CASE WHEN comparable THEN sqrt(v / (n * m_c * m_c) + mean * mean * v_c / (n_c * m_c * m_c * m_c * m_c)) END AS se,
                           CASE WHEN comparable THEN (v / n + v_c / n_c) ^ 2
                                / nullif(v * v / (n::double precision * n * (n - 1)) + v_c * v_c / (n_c::double precision * n_c * (n_c - 1)), 0) END AS df
                    FROM lifts l
                """);
    }

    private String tested() {
        return cte("tested", null, """
                    SELECT e.*,
                           CASE WHEN se > 0 THEN warehouse.t_two_sided_p(rel_lift / se, df) END AS p_value,
                           CASE WHEN se > 0 THEN warehouse.t_quantile(1 - %s / 2, df) * se END AS half_width,
                           CASE WHEN se > 0 THEN warehouse.normal_cdf(rel_lift / se) END AS chance_to_beat_control
                    FROM errors e
                """.formatted(number(x.alpha())));
    }

    private String ranked() {
        return cte("ranked", "for the corrections: the non-null p-values in ascending order", """
                    SELECT t.*, count(p_value) OVER () AS tests,
                           row_number() OVER (ORDER BY p_value NULLS LAST, metric_no, variant_no) AS i
                    FROM tested t
                """);
    }

    private String adjusted() {
        return cte("adjusted", null, "    SELECT r.*, " + pAdjusted() + " AS p_adjusted\n    FROM ranked r\n");
    }

    /** Holm: max over j <= i of min(1, (m - j + 1) p(j)); Benjamini-Hochberg: min over j >= i of min(1, m p(j) / j). */
    private String pAdjusted() {
        String order = "ORDER BY p_value NULLS LAST, metric_no, variant_no";
        return switch (x.correction()) {
            case none -> "p_value";
            case holm -> "CASE WHEN p_value IS NOT NULL THEN max(least(1, (tests - i + 1) * p_value)) OVER ("
                    + order + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) END";
            case benjamini_hochberg -> "CASE WHEN p_value IS NOT NULL THEN min(least(1, tests * p_value / i)) OVER ("
                    + order + " ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) END";
        };
    }

    private String srm() {
        return cte("srm", "Pearson's chi-squared of the persons per variant against the weights, k - 1 df", """
                    SELECT CASE WHEN sum(n) > 0 THEN warehouse.chi2_upper_tail(
                               sum((n - expected) ^ 2 / nullif(expected, 0)), count(*) - 1) END AS srm_p_value
                    FROM (SELECT n, sum(n) OVER () * weight / sum(weight) OVER () AS expected
                          FROM per_variant WHERE metric_no = 1) s
                """);
    }

    /** The view's rows: one per metric × variant, the SRM p-value on each. */
    private String results() {
        return """
                SELECT %s::text AS experiment, a.metric, a.variant, a.is_control,
                       a.n AS persons, a.mean, sqrt(a.v) AS stddev, a.abs_lift, a.rel_lift,
                       a.rel_lift - a.half_width AS rel_lift_ci_low, a.rel_lift + a.half_width AS rel_lift_ci_high,
                       a.p_value, a.p_adjusted < %s AS significant,
                       a.chance_to_beat_control, s.srm_p_value
                FROM adjusted a CROSS JOIN srm s
                """.formatted(literal(x.name()), number(x.alpha()));
    }

    private static String number(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        return Double.toString(value);
    }

    private static String time(OffsetDateTime t) {
        return literal(t.toString()) + "::timestamptz";
    }
}
