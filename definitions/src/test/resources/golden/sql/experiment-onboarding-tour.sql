CREATE MATERIALIZED VIEW analytics."experiment_onboarding_tour" AS
WITH stream AS (   -- one pass over the events: exposures (with their variant) and each metric's matching events
    SELECT e.person, e.occurred_at AS t,
           CASE WHEN e.event_type = E'flag_evaluated' AND (e.properties ->> E'flag') = E'tour-2026' AND (e.properties ->> E'value') = ANY (ARRAY[E'without-tour', E'with-tour']::text[])
                THEN e.properties ->> E'value' END AS variant,
           coalesce(e.event_type = E'activated', false) AS m1,
           coalesce(e.event_type = E'created_project', false) AS m2,
           coalesce(e.event_type = E'purchase' AND coalesce((e.properties ->> E'plan') = ANY (ARRAY[E'team', E'enterprise']::text[]), false), false) AS m3,
           warehouse.json_number(e.properties -> E'seats') AS v3
    FROM warehouse.event_stream e
    WHERE e.event_type = ANY (ARRAY[E'flag_evaluated', E'activated', E'created_project', E'purchase']::text[])
      AND (e.event_type = E'flag_evaluated' AND (e.properties ->> E'flag') = E'tour-2026' AND (e.properties ->> E'value') = ANY (ARRAY[E'without-tour', E'with-tour']::text[])
        OR e.event_type = E'activated'
        OR e.event_type = E'created_project'
        OR e.event_type = E'purchase' AND coalesce((e.properties ->> E'plan') = ANY (ARRAY[E'team', E'enterprise']::text[]), false))
), timed AS (   -- each row with its person's first exposure t0 (a window over the person, no join)
    SELECT s.*, s.t >= s.t0 AND s.t <= s.t0 + interval '21 days' AS in_window
    FROM (SELECT s.*, min(s.t) FILTER (WHERE s.variant IS NOT NULL) OVER (PARTITION BY s.person) AS t0
          FROM stream s) s
    WHERE s.t0 IS NOT NULL
), assigned AS (   -- one variant per person (exposed to two: left out); each metric's events from t0 to t0 + window
    SELECT person, min(variant) AS variant, min(t0) AS t0,
           count(*) FILTER (WHERE m1 AND in_window) AS events1, 0::numeric AS total1,
           count(*) FILTER (WHERE m2 AND in_window) AS events2, 0::numeric AS total2,
           count(*) FILTER (WHERE m3 AND in_window) AS events3, coalesce(sum(v3) FILTER (WHERE m3 AND in_window), 0) AS total3
    FROM timed
    GROUP BY person
    HAVING min(variant) = max(variant)
), person_values AS (   -- every assigned person's value of every metric
    SELECT 1 AS metric_no, a.variant, (CASE WHEN a.events1 > 0 THEN 1 ELSE 0 END)::double precision AS value
    FROM assigned a
    UNION ALL
    SELECT 2 AS metric_no, a.variant, (a.events2)::double precision AS value
    FROM assigned a
    UNION ALL
    SELECT 3 AS metric_no, a.variant, (a.total3)::double precision AS value
    FROM assigned a
), grid (metric_no, metric, conversion, variant_no, variant, weight, is_control) AS (
    SELECT m.*, v.* FROM (VALUES (1, E'activated'::text, true), (2, E'projects'::text, false), (3, E'paid_seats'::text, false)) AS m
    CROSS JOIN (VALUES (1, E'without-tour'::text, 50.0::double precision, true), (2, E'with-tour'::text, 50.0::double precision, false)) AS v
), per_variant AS (   -- n, mean, variance (m(1 - m) for conversions, sample variance otherwise)
    SELECT g.metric_no, g.metric, g.variant_no, g.variant, g.weight, g.is_control,
           count(p.value) AS n, avg(p.value) AS mean,
           CASE WHEN g.conversion THEN avg(p.value) * (1 - avg(p.value)) ELSE var_samp(p.value) END AS v
    FROM grid g
    LEFT JOIN person_values p ON p.metric_no = g.metric_no AND p.variant = g.variant
    GROUP BY g.metric_no, g.metric, g.variant_no, g.variant, g.weight, g.is_control, g.conversion
), lifts AS (   -- against the control: delta-method standard error of the relative lift, Welch df
    SELECT t.*, c.n AS n_c, c.mean AS m_c, c.v AS v_c,
           NOT t.is_control AND t.n >= 2 AND c.n >= 2 AND c.mean <> 0 AS comparable
    FROM per_variant t JOIN per_variant c ON c.metric_no = t.metric_no AND c.is_control
), errors AS (
    SELECT l.*,
           CASE WHEN comparable THEN mean - m_c END AS abs_lift,
           CASE WHEN comparable THEN (mean - m_c) / abs(m_c) END AS rel_lift,
           CASE WHEN comparable THEN sqrt(v / (n * m_c * m_c) + mean * mean * v_c / (n_c * m_c * m_c * m_c * m_c)) END AS se,
           CASE WHEN comparable THEN (v / n + v_c / n_c) ^ 2
                / nullif(v * v / (n::double precision * n * (n - 1)) + v_c * v_c / (n_c::double precision * n_c * (n_c - 1)), 0) END AS df
    FROM lifts l
), tested AS (
    SELECT e.*,
           CASE WHEN se > 0 THEN warehouse.t_two_sided_p(rel_lift / se, df) END AS p_value,
           CASE WHEN se > 0 THEN warehouse.t_quantile(1 - 0.01 / 2, df) * se END AS half_width,
           CASE WHEN se > 0 THEN warehouse.normal_cdf(rel_lift / se) END AS chance_to_beat_control
    FROM errors e
), ranked AS (   -- for the corrections: the non-null p-values in ascending order
    SELECT t.*, count(p_value) OVER () AS tests,
           row_number() OVER (ORDER BY p_value NULLS LAST, metric_no, variant_no) AS i
    FROM tested t
), adjusted AS (
    SELECT r.*, CASE WHEN p_value IS NOT NULL THEN min(least(1, tests * p_value / i)) OVER (ORDER BY p_value NULLS LAST, metric_no, variant_no ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) END AS p_adjusted
    FROM ranked r
), srm AS (   -- Pearson's chi-squared of the persons per variant against the weights, k - 1 df
    SELECT CASE WHEN sum(n) > 0 THEN warehouse.chi2_upper_tail(
               sum((n - expected) ^ 2 / nullif(expected, 0)), count(*) - 1) END AS srm_p_value
    FROM (SELECT n, sum(n) OVER () * weight / sum(weight) OVER () AS expected
          FROM per_variant WHERE metric_no = 1) s
)
SELECT E'onboarding-tour'::text AS experiment, a.metric, a.variant, a.is_control,
       a.n AS persons, a.mean, sqrt(a.v) AS stddev, a.abs_lift, a.rel_lift,
       a.rel_lift - a.half_width AS rel_lift_ci_low, a.rel_lift + a.half_width AS rel_lift_ci_high,
       a.p_value, a.p_adjusted < 0.01 AS significant,
       a.chance_to_beat_control, s.srm_p_value
FROM adjusted a CROSS JOIN srm s
