CREATE MATERIALIZED VIEW analytics."funnel_onboarding_any_order" AS
WITH ev AS (   -- the events that can matter, with the unit counted
    SELECT a.account_id AS unit, e.event_id, e.occurred_at AS t,
           coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'invited_teammate'), false) AS s1,
           coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'created_project'), false) AS s2,
           coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'connected_source') AND NOT coalesce((e.properties ->> E'kind') = ANY (ARRAY[E'csv']::text[]), false), false) AS s3,
           ''::text AS breakdown
    FROM warehouse.fact_events e
    JOIN warehouse.dim_users u ON u.user_key = e.user_key
    JOIN warehouse.dim_accounts a ON a.account_key = e.account_key
    WHERE e.occurred_at >= now() - interval '30 days'
      AND e.event_type_key = ANY (ARRAY(SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type IN (E'invited_teammate', E'created_project', E'connected_source')))
      AND (coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'invited_teammate'), false)
           OR coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'created_project'), false)
           OR coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'connected_source') AND NOT coalesce((e.properties ->> E'kind') = ANY (ARRAY[E'csv']::text[]), false), false))
), evb AS (   -- per event, over all units in (unit, event) order: counts of step-k events
    SELECT ev.*,
           count(*) FILTER (WHERE s1) OVER earlier AS b1,
           count(*) FILTER (WHERE s1) OVER through_unit AS l1,
           count(*) FILTER (WHERE s2) OVER earlier AS b2,
           count(*) FILTER (WHERE s2) OVER through_unit AS l2,
           count(*) FILTER (WHERE s3) OVER earlier AS b3,
           count(*) FILTER (WHERE s3) OVER through_unit AS l3
    FROM ev
    WINDOW earlier AS (ORDER BY unit, t, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
           through_unit AS (ORDER BY unit RANGE UNBOUNDED PRECEDING)
), c1 AS (   -- step 1 events, ranked in (unit, event) order
    SELECT event_id, t, coalesce(b1, 0) + 1 AS rk
    FROM evb WHERE s1
), c2 AS (   -- step 2 events, ranked in (unit, event) order
    SELECT event_id, t, coalesce(b2, 0) + 1 AS rk
    FROM evb WHERE s2
), c3 AS (   -- step 3 events, ranked in (unit, event) order
    SELECT event_id, t, coalesce(b3, 0) + 1 AS rk
    FROM evb WHERE s3
), u0 AS (   -- attempts: any matching event in the lookback
    SELECT unit, event_id AS e0, t AS t0, breakdown, coalesce(b1, 0) AS b1, l1, coalesce(b2, 0) AS b2, l2, coalesce(b3, 0) AS b3, l3
    FROM evb WHERE (s1 OR s2 OR s3) AND t >= now() - interval '30 days' AND t <= now()
), u1 AS (   -- step 1
    SELECT a.*, b.event_id AS e1, b.t AS t1
    FROM u0 a
    LEFT JOIN (
        SELECT DISTINCT ON (a.e0) a.e0, c.event_id, c.t
        FROM (SELECT a.*, a.b1 + generate_series(1, 1) AS rk FROM u0 a) a
        JOIN c1 c ON c.rk = a.rk
        WHERE a.rk <= a.l1 AND c.t <= a.t0 + interval '14 days' AND c.event_id <> ALL (array_remove(ARRAY[NULL]::uuid[], NULL))
        ORDER BY a.e0, c.rk
    ) b ON b.e0 = a.e0
), u2 AS (   -- step 2
    SELECT a.*, b.event_id AS e2, b.t AS t2
    FROM u1 a
    LEFT JOIN (
        SELECT DISTINCT ON (a.e0) a.e0, c.event_id, c.t
        FROM (SELECT a.*, a.b2 + generate_series(1, 2) AS rk FROM u1 a) a
        JOIN c2 c ON c.rk = a.rk
        WHERE a.rk <= a.l2 AND c.t <= a.t0 + interval '14 days' AND c.event_id <> ALL (array_remove(ARRAY[NULL, a.e1]::uuid[], NULL))
        ORDER BY a.e0, c.rk
    ) b ON b.e0 = a.e0
), u3 AS (   -- step 3
    SELECT a.*, b.event_id AS e3, b.t AS t3
    FROM u2 a
    LEFT JOIN (
        SELECT DISTINCT ON (a.e0) a.e0, c.event_id, c.t
        FROM (SELECT a.*, a.b3 + generate_series(1, 3) AS rk FROM u2 a) a
        JOIN c3 c ON c.rk = a.rk
        WHERE a.rk <= a.l3 AND c.t <= a.t0 + interval '14 days' AND c.event_id <> ALL (array_remove(ARRAY[NULL, a.e1, a.e2]::uuid[], NULL))
        ORDER BY a.e0, c.rk
    ) b ON b.e0 = a.e0
), completions AS MATERIALIZED (
    SELECT a.*, (a.e1 IS NOT NULL)::int + (a.e2 IS NOT NULL)::int + (a.e3 IS NOT NULL)::int AS depth,
           ARRAY(SELECT c FROM unnest(ARRAY[a.t1, a.t2, a.t3]) AS c WHERE c IS NOT NULL ORDER BY c) AS done
    FROM u3 a
), attempts AS (
    SELECT a.*,
           extract(epoch FROM a.done[2] - a.done[1]) AS d2,
           extract(epoch FROM a.done[3] - a.done[2]) AS d3
    FROM completions a
), kept AS (   -- attempts with their depth, less those an exclusion discards
    SELECT a.*
    FROM attempts a
    WHERE true
), per_period AS (
    SELECT g.granularity, g.period_start, k.unit, k.breakdown, k.e0, k.t0, k.depth, k.d2, k.d3
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
           percentile_cont(0.5) WITHIN GROUP (ORDER BY d2) FILTER (WHERE depth >= 2) AS m2,
           count(*) FILTER (WHERE depth >= 3) AS p3,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY d3) FILTER (WHERE depth >= 3) AS m3
    FROM counted
    GROUP BY granularity, period_start, breakdown
)
SELECT E'onboarding-any-order'::text AS funnel, t.granularity, t.period_start, t.breakdown,
       s.step, s.step_name, s.persons,
       s.persons::double precision / nullif(t.p1, 0) AS conversion_rate,
       CASE WHEN s.step = 1 THEN 1.0::double precision ELSE s.persons::double precision / nullif(s.previous, 0) END AS step_conversion_rate,
       s.median AS median_seconds_from_previous
FROM totals t
CROSS JOIN LATERAL (VALUES
    (1, E'invited_teammate'::text, t.p1, NULL::bigint, NULL::double precision),
    (2, E'created_project'::text, t.p2, t.p1, t.m2),
    (3, E'connected_source'::text, t.p3, t.p2, t.m3)
) AS s (step, step_name, persons, previous, median)
