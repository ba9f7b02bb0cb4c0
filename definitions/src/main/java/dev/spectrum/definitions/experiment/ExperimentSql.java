package dev.spectrum.definitions.experiment;

import static dev.spectrum.definitions.sql.SqlText.literal;

import dev.spectrum.definitions.experiment.ExperimentDefinition.Metric;
import dev.spectrum.definitions.experiment.ExperimentDefinition.Variant;
import dev.spectrum.definitions.filter.Filter;
import java.util.StringJoiner;

/**
 * The one generator of an experiment's SQL: the SELECT of {@code analytics.experiment_<name>},
 * with the columns of {@code analytics.mv_experiment_results}, following semantics.md
 * (Experiments: GrowthBook's frequentist engine). Pure: definition in, SQL text out; every
 * value from the definition is a literal made by SqlText.literal or a number Java formatted.
 */
public final class ExperimentSql {

    private final ExperimentDefinition x;

    private ExperimentSql(ExperimentDefinition x) {
        this.x = x;
    }

    public static String select(ExperimentDefinition experiment) {
        return new ExperimentSql(experiment).build();
    }

    private String build() {
        var sql = new StringBuilder();
        var variantNames = new StringJoiner(", ", "ARRAY[", "]::text[]");
        x.variants().forEach(v -> variantNames.add(literal(v.name())));
        sql.append("WITH exposures AS (   -- exposures to a variant of the spec, between start and end\n")
                .append("    SELECT e.person, e.occurred_at AS t, e.properties ->> ").append(literal(x.variantProperty())).append(" AS variant\n")
                .append("    FROM warehouse.event_stream e\n")
                .append("    WHERE e.event_type = ").append(literal(x.exposureEvent())).append('\n')
                .append("      AND (e.properties ->> ").append(literal(x.experimentProperty())).append(") = ").append(literal(x.key())).append('\n')
                .append("      AND (e.properties ->> ").append(literal(x.variantProperty())).append(") = ANY (").append(variantNames).append(")\n");
        if (x.start() != null) {
            sql.append("      AND e.occurred_at >= ").append(time(x.start())).append('\n');
        }
        if (x.end() != null) {
            sql.append("      AND e.occurred_at < ").append(time(x.end())).append('\n');
        }
        sql.append("), assigned AS (   -- one variant per person (exposed to two: left out), from the first exposure t0\n")
                .append("    SELECT person, min(variant) AS variant, min(t) AS t0\n")
                .append("    FROM exposures GROUP BY person HAVING count(DISTINCT variant) = 1\n)");
        for (int i = 1; i <= x.metrics().size(); i++) {
            Metric m = x.metrics().get(i - 1);
            sql.append(", m").append(i).append(" AS (   -- metric ").append(i).append(": matching events from t0 to t0 + window\n")
                    .append("    SELECT a.person, count(*) AS events, ")
                    .append(m.property() == null ? "0::numeric" : "coalesce(sum(warehouse.json_number(e.properties -> " + literal(m.property()) + ")), 0)")
                    .append(" AS total\n")
                    .append("    FROM assigned a\n")
                    .append("    JOIN warehouse.event_stream e ON e.person = a.person\n")
                    .append("    WHERE e.event_type = ").append(literal(m.event()));
            for (Filter f : m.where()) {
                sql.append("\n      AND ").append(f.sql("e.properties"));
            }
            sql.append("\n      AND e.occurred_at >= a.t0 AND e.occurred_at <= a.t0 + ").append(x.window().toSqlInterval());
            if (x.end() != null) {
                sql.append(" AND e.occurred_at < ").append(time(x.end()));
            }
            sql.append("\n    GROUP BY a.person\n)");
        }
        sql.append(", person_values AS (   -- every assigned person's value of every metric\n");
        for (int i = 1; i <= x.metrics().size(); i++) {
            Metric m = x.metrics().get(i - 1);
            String value = switch (m.type()) {
                case conversion -> "CASE WHEN m.events > 0 THEN 1 ELSE 0 END";
                case count -> "coalesce(m.events, 0)";
                case sum -> "coalesce(m.total, 0)";
            };
            sql.append(i == 1 ? "" : "    UNION ALL\n")
                    .append("    SELECT ").append(i).append(" AS metric_no, a.variant, (").append(value).append(")::double precision AS value\n")
                    .append("    FROM assigned a LEFT JOIN m").append(i).append(" m USING (person)\n");
        }
        sql.append("), grid (metric_no, metric, conversion, variant_no, variant, weight, is_control) AS (\n")
                .append("    SELECT m.*, v.* FROM (VALUES ");
        var metricRows = new StringJoiner(", ");
        for (int i = 1; i <= x.metrics().size(); i++) {
            Metric m = x.metrics().get(i - 1);
            metricRows.add("(" + i + ", " + literal(m.name()) + "::text, " + (m.type() == dev.spectrum.definitions.v1alpha1.ExperimentSpec.MetricType.conversion) + ")");
        }
        sql.append(metricRows).append(") AS m\n    CROSS JOIN (VALUES ");
        var variantRows = new StringJoiner(", ");
        for (int i = 1; i <= x.variants().size(); i++) {
            Variant v = x.variants().get(i - 1);
            variantRows.add("(" + i + ", " + literal(v.name()) + "::text, " + number(v.weight()) + "::double precision, "
                    + v.name().equals(x.control()) + ")");
        }
        sql.append(variantRows).append(") AS v\n")
                .append("), per_variant AS (   -- n, mean, variance (m(1 - m) for conversions, sample variance otherwise)\n")
                .append("    SELECT g.metric_no, g.metric, g.variant_no, g.variant, g.weight, g.is_control,\n")
                .append("           count(p.value) AS n, avg(p.value) AS mean,\n")
                .append("           CASE WHEN g.conversion THEN avg(p.value) * (1 - avg(p.value)) ELSE var_samp(p.value) END AS v\n")
                .append("    FROM grid g\n")
                .append("    LEFT JOIN person_values p ON p.metric_no = g.metric_no AND p.variant = g.variant\n")
                .append("    GROUP BY g.metric_no, g.metric, g.variant_no, g.variant, g.weight, g.is_control, g.conversion\n")
                .append("), lifts AS (   -- against the control: delta-method standard error of the relative lift, Welch df\n")
                .append("    SELECT t.*, c.n AS n_c, c.mean AS m_c, c.v AS v_c,\n")
                .append("           NOT t.is_control AND t.n >= 2 AND c.n >= 2 AND c.mean <> 0 AS comparable\n")
                .append("    FROM per_variant t JOIN per_variant c ON c.metric_no = t.metric_no AND c.is_control\n")
                .append("), errors AS (\n")
                .append("    SELECT l.*,\n")
                .append("           CASE WHEN comparable THEN mean - m_c END AS abs_lift,\n")
                .append("           CASE WHEN comparable THEN (mean - m_c) / abs(m_c) END AS rel_lift,\n")
                .append("           CASE WHEN comparable THEN sqrt(v / (n * m_c * m_c) + mean * mean * v_c / (n_c * m_c * m_c * m_c * m_c)) END AS se,\n")
                .append("           CASE WHEN comparable THEN (v / n + v_c / n_c) ^ 2\n")
                .append("                / nullif(v * v / (n::double precision * n * (n - 1)) + v_c * v_c / (n_c::double precision * n_c * (n_c - 1)), 0) END AS df\n")
                .append("    FROM lifts l\n")
                .append("), tested AS (\n")
                .append("    SELECT e.*,\n")
                .append("           CASE WHEN se > 0 THEN warehouse.t_two_sided_p(rel_lift / se, df) END AS p_value,\n")
                .append("           CASE WHEN se > 0 THEN warehouse.t_quantile(1 - ").append(number(x.alpha())).append(" / 2, df) * se END AS half_width,\n")
                .append("           CASE WHEN se > 0 THEN warehouse.normal_cdf(rel_lift / se) END AS chance_to_beat_control\n")
                .append("    FROM errors e\n")
                .append("), ranked AS (   -- for the corrections: the non-null p-values in ascending order\n")
                .append("    SELECT t.*, count(p_value) OVER () AS tests,\n")
                .append("           row_number() OVER (ORDER BY p_value NULLS LAST, metric_no, variant_no) AS i\n")
                .append("    FROM tested t\n")
                .append("), adjusted AS (\n")
                .append("    SELECT r.*, ").append(adjusted()).append(" AS p_adjusted\n")
                .append("    FROM ranked r\n")
                .append("), srm AS (   -- Pearson's chi-squared of the persons per variant against the weights, k - 1 df\n")
                .append("    SELECT CASE WHEN sum(n) > 0 THEN warehouse.chi2_upper_tail(\n")
                .append("               sum((n - expected) ^ 2 / nullif(expected, 0)), count(*) - 1) END AS srm_p_value\n")
                .append("    FROM (SELECT n, sum(n) OVER () * weight / sum(weight) OVER () AS expected\n")
                .append("          FROM per_variant WHERE metric_no = 1) s\n")
                .append(")\n")
                .append("SELECT ").append(literal(x.name())).append("::text AS experiment, a.metric, a.variant, a.is_control,\n")
                .append("       a.n AS persons, a.mean, sqrt(a.v) AS stddev, a.abs_lift, a.rel_lift,\n")
                .append("       a.rel_lift - a.half_width AS rel_lift_ci_low, a.rel_lift + a.half_width AS rel_lift_ci_high,\n")
                .append("       a.p_value, a.p_adjusted < ").append(number(x.alpha())).append(" AS significant,\n")
                .append("       a.chance_to_beat_control, s.srm_p_value\n")
                .append("FROM adjusted a CROSS JOIN srm s\n");
        return sql.toString();
    }

    /** Holm: max over j <= i of min(1, (m - j + 1) p(j)); Benjamini-Hochberg: min over j >= i of min(1, m p(j) / j). */
    private String adjusted() {
        String order = "ORDER BY p_value NULLS LAST, metric_no, variant_no";
        return switch (x.correction()) {
            case none -> "p_value";
            case holm -> "CASE WHEN p_value IS NOT NULL THEN max(least(1, (tests - i + 1) * p_value)) OVER ("
                    + order + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) END";
            case benjamini_hochberg -> "CASE WHEN p_value IS NOT NULL THEN min(least(1, tests * p_value / i)) OVER ("
                    + order + " ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) END";
        };
    }

    private static String number(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        return Double.toString(value);
    }

    private static String time(java.time.OffsetDateTime t) {
        return literal(t.toString()) + "::timestamptz";
    }
}
