package dev.spectrum.definitions.funnel;

import static dev.spectrum.definitions.sql.SqlText.literal;

import dev.spectrum.definitions.filter.Filter;
import dev.spectrum.definitions.funnel.FunnelDefinition.Step;
import dev.spectrum.definitions.v1alpha1.Breakdown;
import dev.spectrum.definitions.v1alpha1.CountBy;
import dev.spectrum.definitions.v1alpha1.Exclusion;
import dev.spectrum.definitions.v1alpha1.FunnelOrder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.StringJoiner;

/**
 * The one generator of a funnel's SQL: the SELECT of {@code analytics.funnel_<name>}, with the
 * columns of {@code analytics.mv_conversion_funnels}, following semantics.md (Funnels). Pure:
 * definition in, SQL text out. Every value from the definition is a literal made by
 * {@link dev.spectrum.definitions.sql.SqlText#literal}; durations are made from parsed numbers.
 *
 * <p>How an ordered attempt finds step k: among the person's step-k events (ranked in event
 * order), the first one at or after step k-1's time has rank {@code b + 1}, where {@code b}
 * counts the step-k events strictly before that time (a window count); at most k-1 of the next
 * candidates can be events already used by earlier steps (they share that timestamp), so the
 * step is the first of ranks b+1 .. b+k that is not used and lies within the window. Every lookup
 * is an equality join, never a scan per attempt.
 *
 * <p>The ranks and counts run over all units at once, in (unit, event) order: a step-k event's
 * rank counts the step-k events of every earlier unit too, and {@code l<k>} is the last rank of
 * the attempt's own unit, so a candidate rank {@code <= l<k>} lies in that unit. The lookup is
 * then a join on the rank alone (one key, unique on the events' side), which no row estimate can
 * turn into a merge on the unit with a filter over each unit's events (quadratic in the events
 * of an account); the windows are running counts (no EXCLUDE frame, which PostgreSQL recomputes
 * per row). The facts are read by event-type key (the keys looked up once), joined only to the
 * dimensions the funnel uses.
 */
public final class FunnelSql {

    private final FunnelDefinition funnel;
    private final int n;
    private final String window;
    private final String lookback;

    private FunnelSql(FunnelDefinition funnel) {
        this.funnel = funnel;
        this.n = funnel.steps().size();
        this.window = funnel.window().toSqlInterval();
        this.lookback = funnel.lookback().toSqlInterval();
    }

    /** The SELECT whose rows are the funnel's view. */
    public static String select(FunnelDefinition funnel) {
        return new FunnelSql(funnel).build();
    }

    private String build() {
        var sql = new StringBuilder();
        sql.append("WITH ev AS (   -- the events that can matter, with the unit counted\n")
                .append("    SELECT ").append(unit()).append(" AS unit, e.event_id, e.occurred_at AS t,\n");
        for (int k = 1; k <= n; k++) {
            sql.append("           ").append(stepCondition(funnel.steps().get(k - 1))).append(" AS s").append(k).append(",\n");
        }
        for (int x = 1; x <= funnel.exclusions().size(); x++) {
            sql.append("           coalesce(e.event_type_key = ").append(typeKey(funnel.exclusions().get(x - 1).getEvent()))
                    .append(", false) AS x").append(x).append(",\n");
        }
        // Only attempts (step-1 events for ordered and strict) carry their breakdown value: the
        // other events' rows stay narrow in the sorts.
        String breakdown = funnel.order() == FunnelOrder.unordered || funnel.breakdown() == null
                ? breakdown() : "CASE WHEN " + stepCondition(funnel.steps().get(0)) + " THEN " + breakdown() + " END";
        sql.append("           ").append(breakdown).append(" AS breakdown\n")
                .append("    FROM warehouse.fact_events e\n")
                .append("    JOIN warehouse.dim_users u ON u.user_key = e.user_key\n");
        if (funnel.countBy() == CountBy.account) {
            sql.append("    JOIN warehouse.dim_accounts a ON a.account_key = e.account_key\n");
        } else if (funnel.breakdown() != null && funnel.breakdown().getDimension() == Breakdown.Dimension.account) {
            sql.append("    LEFT JOIN warehouse.dim_accounts a ON a.account_key = e.account_key\n");
        }
        if (funnel.breakdown() != null && funnel.breakdown().getDimension() == Breakdown.Dimension.country) {
            sql.append("    JOIN warehouse.dim_geography g ON g.geography_key = e.geography_key\n");
        }
        sql.append("    WHERE e.occurred_at >= now() - ").append(lookback).append('\n');
        if (funnel.order() != FunnelOrder.strict) {   // strict needs every event: any of them interrupts
            sql.append("      AND e.event_type_key = ANY (ARRAY(SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type IN (")
                    .append(String.join(", ", eventTypes())).append(")))\n")
                    .append("      AND (").append(anyMatch()).append(")\n");
        }
        sql.append(")");
        switch (funnel.order()) {
            case ordered -> ordered(sql);
            case strict -> strict(sql);
            case unordered -> unordered(sql);
        }
        tail(sql);
        return sql.toString();
    }

    private void ordered(StringBuilder sql) {
        sql.append(", evb AS (   -- per event, over all units in (unit, event) order: counts of step-k events (k >= 2)\n")
                .append("    SELECT ev.*");
        for (int k = 2; k <= n; k++) {
            sql.append(",\n           count(*) FILTER (WHERE s").append(k).append(") OVER through_time - count(*) FILTER (WHERE s")
                    .append(k).append(") OVER same_time AS b").append(k)
                    .append(",\n           count(*) FILTER (WHERE s").append(k).append(") OVER in_order AS g").append(k)
                    .append(",\n           count(*) FILTER (WHERE s").append(k).append(") OVER through_unit AS l").append(k);
        }
        sql.append("\n    FROM ev\n")
                .append("    WINDOW through_time AS (ORDER BY unit, t RANGE UNBOUNDED PRECEDING),\n")
                .append("           same_time AS (PARTITION BY unit, t),\n")
                .append("           in_order AS (ORDER BY unit, t, event_id ROWS UNBOUNDED PRECEDING),\n")
                .append("           through_unit AS (ORDER BY unit RANGE UNBOUNDED PRECEDING)\n")
                .append(")");
        for (int k = 2; k <= n; k++) {
            sql.append(", c").append(k).append(" AS (   -- step ").append(k).append(" events, ranked in (unit, event) order\n")
                    .append("    SELECT event_id, t, g").append(k).append(" AS rk, ").append(k < n ? "b" + (k + 1) : "NULL::bigint").append(" AS nb\n")
                    .append("    FROM evb WHERE s").append(k).append("\n)");
        }
        sql.append(", a1 AS (   -- attempts: a step-1 event in the lookback\n")
                .append("    SELECT unit, event_id AS e1, t AS t1, breakdown, b2 AS nb, ").append(lasts(""))
                .append("\n    FROM evb WHERE s1 AND t >= now() - ").append(lookback).append(" AND t <= now()\n)");
        for (int k = 2; k <= n; k++) {
            String prev = "a" + (k - 1);
            var used = new StringJoiner(", ");
            for (int j = 1; j < k; j++) {
                used.add("a.e" + j);
            }
            sql.append(", a").append(k).append(" AS (   -- step ").append(k).append('\n')
                    .append("    SELECT a.unit, a.breakdown, ").append(lasts("a.")).append(", ").append(carried(k - 1))
                    .append(", b.event_id AS e").append(k).append(", b.t AS t").append(k).append(", b.nb\n")
                    .append("    FROM ").append(prev).append(" a\n")
                    .append("    LEFT JOIN (\n")
                    .append("        SELECT DISTINCT ON (a.e1) a.e1, c.event_id, c.t, c.nb\n")
                    .append("        FROM (SELECT a.*, a.nb + generate_series(1, ").append(k).append(") AS rk FROM ").append(prev)
                    .append(" a WHERE a.e").append(k - 1).append(" IS NOT NULL) a\n")
                    .append("        JOIN c").append(k).append(" c ON c.rk = a.rk\n")
                    .append("        WHERE a.rk <= a.l").append(k).append(" AND c.t <= a.t1 + ").append(window)
                    .append(" AND c.event_id NOT IN (").append(used).append(")\n")
                    .append("        ORDER BY a.e1, c.rk\n")
                    .append("    ) b ON b.e1 = a.e1\n)");
        }
        sql.append(", attempts AS (\n    SELECT a.unit, a.breakdown, a.e1 AS e0, a.t1 AS t0, ").append(carried(n))
                .append(",\n           ").append(chainDepth()).append(" AS depth").append(chainDurations())
                .append("\n    FROM a").append(n).append(" a\n)");
    }

    private void strict(StringBuilder sql) {
        sql.append(", nexts AS (   -- each event with the events that follow it directly\n")
                .append("    SELECT ev.*");
        for (int k = 2; k <= n; k++) {
            int offset = k - 1;
            sql.append(",\n           lead(s").append(k).append(", ").append(offset).append(") OVER next AS ls").append(k)
                    .append(", lead(event_id, ").append(offset).append(") OVER next AS le").append(k)
                    .append(", lead(t, ").append(offset).append(") OVER next AS lt").append(k);
        }
        sql.append("\n    FROM ev\n    WINDOW next AS (PARTITION BY unit ORDER BY t, event_id)\n)")
                .append(", reached AS (\n    SELECT unit, breakdown, event_id AS e1, t AS t1");
        String chain = "true";
        for (int k = 2; k <= n; k++) {
            chain = chain + " AND coalesce(ls" + k + " AND lt" + k + " <= t + " + window + ", false)";
            sql.append(",\n           CASE WHEN ").append(chain).append(" THEN le").append(k).append(" END AS e").append(k)
                    .append(",\n           CASE WHEN ").append(chain).append(" THEN lt").append(k).append(" END AS t").append(k);
        }
        sql.append("\n    FROM nexts WHERE s1 AND t >= now() - ").append(lookback).append(" AND t <= now()\n)")
                .append(", attempts AS (\n    SELECT a.*, a.e1 AS e0, a.t1 AS t0, ").append(chainDepth()).append(" AS depth")
                .append(chainDurations()).append("\n    FROM reached a\n)");
    }

    private void tail(StringBuilder sql) {
        sql.append(", kept AS (   -- attempts with their depth, less those an exclusion discards\n")
                .append("    SELECT a.*\n")
                .append("    FROM attempts a\n    WHERE true");
        List<Exclusion> exclusions = funnel.exclusions();
        for (int x = 1; x <= exclusions.size(); x++) {
            int after = exclusions.get(x - 1).getAfterStep();
            int before = exclusions.get(x - 1).getBeforeStep();
            sql.append("\n      AND NOT (a.e").append(after).append(" IS NOT NULL AND EXISTS (\n")
                    .append("          SELECT FROM ev x WHERE x.unit = a.unit AND x.x").append(x)
                    .append(" AND (x.t, x.event_id) > (a.t").append(after).append(", a.e").append(after).append(")\n")
                    .append("            AND CASE WHEN a.e").append(before).append(" IS NOT NULL THEN (x.t, x.event_id) < (a.t")
                    .append(before).append(", a.e").append(before).append(")\n")
                    .append("                     ELSE x.t <= a.t0 + ").append(window).append(" END))");
        }
        var durations = new StringBuilder();
        for (int k = 2; k <= n; k++) {
            durations.append(", k.d").append(k);
        }
        // only the columns counted below: the sort of counted carries each attempt three times
        sql.append("\n), per_period AS (\n")
                .append("    SELECT g.granularity, g.period_start, k.unit, k.breakdown, k.e0, k.t0, k.depth").append(durations).append('\n')
                .append("    FROM kept k\n")
                .append("    CROSS JOIN LATERAL (VALUES ('total', NULL::date),\n")
                .append("                               ('day', (k.t0 AT TIME ZONE 'UTC')::date),\n")
                .append("                               ('week', date_trunc('week', k.t0 AT TIME ZONE 'UTC')::date)) AS g (granularity, period_start)\n")
                .append("), counted AS (   -- per period, breakdown value and unit: the earliest attempt of the greatest depth\n")
                .append("    SELECT DISTINCT ON (granularity, period_start, breakdown, unit) *\n")
                .append("    FROM per_period\n")
                .append("    ORDER BY granularity, period_start, breakdown, unit, depth DESC, t0, e0\n")
                .append("), totals AS (\n")
                .append("    SELECT granularity, period_start, breakdown,\n")
                .append("           count(*) AS p1");
        for (int k = 2; k <= n; k++) {
            sql.append(",\n           count(*) FILTER (WHERE depth >= ").append(k).append(") AS p").append(k)
                    .append(",\n           percentile_cont(0.5) WITHIN GROUP (ORDER BY d").append(k)
                    .append(") FILTER (WHERE depth >= ").append(k).append(") AS m").append(k);
        }
        sql.append("\n    FROM counted\n    GROUP BY granularity, period_start, breakdown\n)\n")
                .append("SELECT ").append(literal(funnel.name())).append("::text AS funnel, t.granularity, t.period_start, t.breakdown,\n")
                .append("       s.step, s.step_name, s.persons,\n")
                .append("       s.persons::double precision / nullif(t.p1, 0) AS conversion_rate,\n")
                .append("       CASE WHEN s.step = 1 THEN 1.0::double precision ELSE s.persons::double precision / nullif(s.previous, 0) END AS step_conversion_rate,\n")
                .append("       s.median AS median_seconds_from_previous\n")
                .append("FROM totals t\n")
                .append("CROSS JOIN LATERAL (VALUES\n");
        for (int k = 1; k <= n; k++) {
            Step step = funnel.steps().get(k - 1);
            sql.append("    (").append(k).append(", ").append(literal(step.name())).append("::text, t.p").append(k)
                    .append(", ").append(k == 1 ? "NULL::bigint" : "t.p" + (k - 1))
                    .append(", ").append(k == 1 ? "NULL::double precision" : "t.m" + k).append(')')
                    .append(k < n ? ",\n" : "\n");
        }
        sql.append(") AS s (step, step_name, persons, previous, median)\n");
    }

    private String unit() {
        return funnel.countBy() == CountBy.account ? "a.account_id" : "u.person_id";
    }

    private String breakdown() {
        Breakdown b = funnel.breakdown();
        if (b == null) {
            return "''::text";
        }
        if (b.getProperty() != null) {
            return "coalesce(e.properties ->> " + literal(b.getProperty()) + ", '')";
        }
        return b.getDimension() == Breakdown.Dimension.country ? "g.country_code" : "coalesce(a.account_id, '')";
    }

    private String anyMatch() {
        List<String> parts = new ArrayList<>();
        for (Step step : funnel.steps()) {
            parts.add(stepCondition(step));
        }
        for (Exclusion x : funnel.exclusions()) {
            parts.add("e.event_type_key = " + typeKey(x.getEvent()));
        }
        return String.join("\n           OR ", parts);
    }

    /** The literals of the event types of the steps and exclusions, each once, in their order. */
    private List<String> eventTypes() {
        var types = new LinkedHashSet<String>();
        for (Step step : funnel.steps()) {
            types.add(literal(step.event()));
        }
        for (Exclusion x : funnel.exclusions()) {
            types.add(literal(x.getEvent()));
        }
        return List.copyOf(types);
    }

    /**
     * The key of an event type, looked up once per query (an InitPlan): the facts are compared by
     * key, so that no fact row is joined to the event types to be tested. Null (no match) when
     * no event of that type was ever loaded.
     */
    private static String typeKey(String eventType) {
        return "(SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = " + literal(eventType) + ")";
    }

    private static String stepCondition(Step step) {
        var condition = new StringBuilder("coalesce(e.event_type_key = ").append(typeKey(step.event()));
        for (Filter f : step.where()) {
            condition.append(" AND ").append(f.sql("e.properties"));
        }
        return condition.append(", false)").toString();
    }



    /** Ordered: the columns l2..ln, each step's last rank in the attempt's unit. */
    private String lasts(String prefix) {
        var columns = new StringJoiner(", ");
        for (int k = 2; k <= n; k++) {
            columns.add(prefix + "l" + k);
        }
        return columns.toString();
    }

    private String carried(int upTo) {
        var columns = new StringJoiner(", ");
        for (int j = 1; j <= upTo; j++) {
            columns.add("a.e" + j).add("a.t" + j);
        }
        return columns.toString();
    }

    /** Ordered and strict: the steps reached one after another, so depth counts the non-null prefix. */
    private String chainDepth() {
        var depth = new StringBuilder("1");
        for (int k = 2; k <= n; k++) {
            depth.append(" + (a.e").append(k).append(" IS NOT NULL)::int");
        }
        return depth.toString();
    }

    /** Ordered and strict: seconds from step k-1 to step k. */
    private String chainDurations() {
        var durations = new StringBuilder();
        for (int k = 2; k <= n; k++) {
            durations.append(",\n           extract(epoch FROM a.t").append(k).append(" - a.t").append(k - 1).append(") AS d").append(k);
        }
        return durations.toString();
    }

    /**
     * Unordered: an attempt starts at any event matching any step; step k is completed by its first
     * matching event from the start (in event order) up to the window end that no lower-numbered step
     * took; the depth is the number of steps completed and the k-th time runs from the (k-1)-th to
     * the k-th completion.
     */
    private void unordered(StringBuilder sql) {
        sql.append(", evb AS (   -- per event, over all units in (unit, event) order: counts of step-k events\n")
                .append("    SELECT ev.*");
        for (int k = 1; k <= n; k++) {
            sql.append(",\n           count(*) FILTER (WHERE s").append(k).append(") OVER earlier AS b").append(k)
                    .append(",\n           count(*) FILTER (WHERE s").append(k).append(") OVER through_unit AS l").append(k);
        }
        sql.append("\n    FROM ev\n")
                .append("    WINDOW earlier AS (ORDER BY unit, t, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),\n")
                .append("           through_unit AS (ORDER BY unit RANGE UNBOUNDED PRECEDING)\n")
                .append(")");
        for (int k = 1; k <= n; k++) {
            sql.append(", c").append(k).append(" AS (   -- step ").append(k).append(" events, ranked in (unit, event) order\n")
                    .append("    SELECT event_id, t, coalesce(b").append(k).append(", 0) + 1 AS rk\n")
                    .append("    FROM evb WHERE s").append(k).append("\n)");
        }
        var any = new StringJoiner(" OR ");
        for (int k = 1; k <= n; k++) {
            any.add("s" + k);
        }
        sql.append(", u0 AS (   -- attempts: any matching event in the lookback\n")
                .append("    SELECT unit, event_id AS e0, t AS t0, breakdown");
        for (int k = 1; k <= n; k++) {
            sql.append(", coalesce(b").append(k).append(", 0) AS b").append(k).append(", l").append(k);
        }
        sql.append("\n    FROM evb WHERE (").append(any).append(") AND t >= now() - ").append(lookback).append(" AND t <= now()\n)");
        for (int k = 1; k <= n; k++) {
            var used = new StringJoiner(", ");
            used.add("NULL");
            for (int j = 1; j < k; j++) {
                used.add("a.e" + j);
            }
            sql.append(", u").append(k).append(" AS (   -- step ").append(k).append('\n')
                    .append("    SELECT a.*, b.event_id AS e").append(k).append(", b.t AS t").append(k).append('\n')
                    .append("    FROM u").append(k - 1).append(" a\n")
                    .append("    LEFT JOIN (\n")
                    .append("        SELECT DISTINCT ON (a.e0) a.e0, c.event_id, c.t\n")
                    .append("        FROM (SELECT a.*, a.b").append(k).append(" + generate_series(1, ").append(k).append(") AS rk FROM u")
                    .append(k - 1).append(" a) a\n")
                    .append("        JOIN c").append(k).append(" c ON c.rk = a.rk\n")
                    .append("        WHERE a.rk <= a.l").append(k).append(" AND c.t <= a.t0 + ").append(window)
                    .append(" AND c.event_id <> ALL (array_remove(ARRAY[").append(used).append("]::uuid[], NULL))\n")
                    .append("        ORDER BY a.e0, c.rk\n")
                    .append("    ) b ON b.e0 = a.e0\n)");
        }
        var times = new StringJoiner(", ");
        var depth = new StringJoiner(" + ");
        for (int k = 1; k <= n; k++) {
            times.add("a.t" + k);
            depth.add("(a.e" + k + " IS NOT NULL)::int");
        }
        // MATERIALIZED: each attempt's sorted completion times are made once; inlined, every use
        // of done[k] below would sort them again, and once more per period row.
        sql.append(", completions AS MATERIALIZED (\n")
                .append("    SELECT a.*, ").append(depth).append(" AS depth,\n")
                .append("           ARRAY(SELECT c FROM unnest(ARRAY[").append(times).append("]) AS c WHERE c IS NOT NULL ORDER BY c) AS done\n")
                .append("    FROM u").append(n).append(" a\n)")
                .append(", attempts AS (\n    SELECT a.*");
        for (int k = 2; k <= n; k++) {
            sql.append(",\n           extract(epoch FROM a.done[").append(k).append("] - a.done[").append(k - 1).append("]) AS d").append(k);
        }
        sql.append("\n    FROM completions a\n)");
    }
}
