CREATE MATERIALIZED VIEW analytics."funnel_strict_signup" AS
WITH ev AS (   -- the events that can matter, with the unit counted
    SELECT u.person_id AS unit, e.event_id, e.occurred_at AS t,
           coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'landing'), false) AS s1,
           coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'signup_form'), false) AS s2,
           coalesce(e.event_type_key = (SELECT t.event_type_key FROM warehouse.dim_event_types t WHERE t.event_type = E'signup'), false) AS s3,
           ''::text AS breakdown
    FROM warehouse.fact_events e
    JOIN warehouse.dim_users u ON u.user_key = e.user_key
    WHERE e.occurred_at >= now() - interval '90 days'
), nexts AS (   -- each event with the events that follow it directly
    SELECT ev.*,
           lead(s2, 1) OVER next AS ls2, lead(event_id, 1) OVER next AS le2, lead(t, 1) OVER next AS lt2,
           lead(s3, 2) OVER next AS ls3, lead(event_id, 2) OVER next AS le3, lead(t, 2) OVER next AS lt3
    FROM ev
    WINDOW next AS (PARTITION BY unit ORDER BY t, event_id)
), reached AS (
    SELECT unit, breakdown, event_id AS e1, t AS t1,
           CASE WHEN true AND coalesce(ls2 AND lt2 <= t + interval '30 minutes', false) THEN le2 END AS e2,
           CASE WHEN true AND coalesce(ls2 AND lt2 <= t + interval '30 minutes', false) THEN lt2 END AS t2,
           CASE WHEN true AND coalesce(ls2 AND lt2 <= t + interval '30 minutes', false) AND coalesce(ls3 AND lt3 <= t + interval '30 minutes', false) THEN le3 END AS e3,
           CASE WHEN true AND coalesce(ls2 AND lt2 <= t + interval '30 minutes', false) AND coalesce(ls3 AND lt3 <= t + interval '30 minutes', false) THEN lt3 END AS t3
    FROM nexts WHERE s1 AND t >= now() - interval '90 days' AND t <= now()
), attempts AS (
    SELECT a.*, a.e1 AS e0, a.t1 AS t0, 1 + (a.e2 IS NOT NULL)::int + (a.e3 IS NOT NULL)::int AS depth,
           extract(epoch FROM a.t2 - a.t1) AS d2,
           extract(epoch FROM a.t3 - a.t2) AS d3
    FROM reached a
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
SELECT E'strict-signup'::text AS funnel, t.granularity, t.period_start, t.breakdown,
       s.step, s.step_name, s.persons,
       s.persons::double precision / nullif(t.p1, 0) AS conversion_rate,
       CASE WHEN s.step = 1 THEN 1.0::double precision ELSE s.persons::double precision / nullif(s.previous, 0) END AS step_conversion_rate,
       s.median AS median_seconds_from_previous
FROM totals t
CROSS JOIN LATERAL (VALUES
    (1, E'landing'::text, t.p1, NULL::bigint, NULL::double precision),
    (2, E'signup_form'::text, t.p2, t.p1, t.m2),
    (3, E'signup'::text, t.p3, t.p2, t.m3)
) AS s (step, step_name, persons, previous, median)
