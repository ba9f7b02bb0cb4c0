CREATE MATERIALIZED VIEW analytics."funnel_activation_by_country" AS
WITH ev AS (   -- the events that can matter, with the unit counted
    SELECT u.person_id AS unit, e.event_id, e.occurred_at AS t,
           coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'signup'), false) AS s1,
           coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'activated'), false) AS s2,
           CASE WHEN coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'signup'), false) THEN g.country_code END AS breakdown
    FROM warehouse.fact_events e
    JOIN warehouse.dim_users u ON u.user_key = e.user_key
    JOIN warehouse.dim_geography g ON g.geography_key = e.geography_key
    WHERE e.occurred_at >= now() - interval '90 days'
      AND e.event_type_key = ANY (ARRAY(SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type IN (E'signup', E'activated')))
      AND (coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'signup'), false)
           OR coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'activated'), false))
), evb AS (   -- per event, over all units in (unit, event) order: counts of step-k events (k >= 2)
    SELECT ev.*,
           count(*) FILTER (WHERE s2) OVER through_time - count(*) FILTER (WHERE s2) OVER same_time AS b2,
           count(*) FILTER (WHERE s2) OVER in_order AS g2,
           count(*) FILTER (WHERE s2) OVER through_unit AS l2
    FROM ev
    WINDOW through_time AS (ORDER BY unit, t RANGE UNBOUNDED PRECEDING),
           same_time AS (PARTITION BY unit, t),
           in_order AS (ORDER BY unit, t, event_id ROWS UNBOUNDED PRECEDING),
           through_unit AS (ORDER BY unit RANGE UNBOUNDED PRECEDING)
), c2 AS (   -- step 2 events, ranked in (unit, event) order
    SELECT event_id, t, g2 AS rk, NULL::bigint AS nb
    FROM evb WHERE s2
), a1 AS (   -- attempts: a step-1 event in the lookback
    SELECT unit, event_id AS e1, t AS t1, breakdown, b2 AS nb, l2
    FROM evb WHERE s1 AND t >= now() - interval '90 days' AND t <= now()
), a2 AS (   -- step 2
    SELECT a.unit, a.breakdown, a.l2, a.e1, a.t1, b.event_id AS e2, b.t AS t2, b.nb
    FROM a1 a
    LEFT JOIN (
        SELECT DISTINCT ON (a.e1) a.e1, c.event_id, c.t, c.nb
        FROM (SELECT a.*, a.nb + generate_series(1, 2) AS rk FROM a1 a WHERE a.e1 IS NOT NULL) a
        JOIN c2 c ON c.rk = a.rk
        WHERE a.rk <= a.l2 AND c.t <= a.t1 + interval '14 days' AND c.event_id NOT IN (a.e1)
        ORDER BY a.e1, c.rk
    ) b ON b.e1 = a.e1
), attempts AS (
    SELECT a.unit, a.breakdown, a.e1 AS e0, a.t1 AS t0, a.e1, a.t1, a.e2, a.t2,
           1 + (a.e2 IS NOT NULL)::int AS depth,
           extract(epoch FROM a.t2 - a.t1) AS d2
    FROM a2 a
), kept AS (   -- attempts with their depth, less those an exclusion discards
    SELECT a.*
    FROM attempts a
    WHERE true
), per_period AS (
    SELECT g.granularity, g.period_start, k.unit, k.breakdown, k.e0, k.t0, k.depth, k.d2
    FROM kept k
    CROSS JOIN LATERAL (VALUES ('total', NULL::date),
                               ('day', (k.t0 AT TIME ZONE 'UTC')::date),
                               ('week', date_trunc('week', k.t0 AT TIME ZONE 'UTC')::date)) AS g (granularity, period_start)
), counted AS (   -- per period, breakdown value and unit: the earliest attempt of the greatest depth
    SELECT DISTINCT ON (granularity, period_start, breakdown, unit) *
    FROM per_period
    ORDER BY granularity, period_start, breakdown, unit, depth DESC, t0, e0
), totals AS (
    SELECT granularity, period_start, breakdown,
           count(*) AS p1,
           count(*) FILTER (WHERE depth >= 2) AS p2,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY d2) FILTER (WHERE depth >= 2) AS m2
    FROM counted
    GROUP BY granularity, period_start, breakdown
)
SELECT E'activation-by-country'::text AS funnel, t.granularity, t.period_start, t.breakdown,
       s.step, s.step_name, s.persons,
       s.persons::double precision / nullif(t.p1, 0) AS conversion_rate,
       CASE WHEN s.step = 1 THEN 1.0::double precision ELSE s.persons::double precision / nullif(s.previous, 0) END AS step_conversion_rate,
       s.median AS median_seconds_from_previous
FROM totals t
CROSS JOIN LATERAL (VALUES
    (1, E'signup'::text, t.p1, NULL::bigint, NULL::double precision),
    (2, E'activated'::text, t.p2, t.p1, t.m2)
) AS s (step, step_name, persons, previous, median)
