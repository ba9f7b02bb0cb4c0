-- The standard views, redefined so that their cost grows with the events and nothing else
-- (issue #17): the same rows as V4's definitions, computed by scans, sorts, window functions
-- and GROUP BY only, so that no plan hangs on a row estimate (a join of two CTEs that the
-- planner guesses small turns into a nested loop when it guesses wrong), and no aggregate sorts
-- each group on its own (array_agg(... ORDER BY ...) sorts per group: millions of tiny sorts).
-- Indexes and grants are as in V4 (spectrum_reader reads analytics through the default
-- privileges of V1, granted again below).
SET LOCAL ROLE spectrum_pipeline;

-- Retention (semantics.md): a person's cohort is the period of their first event; they are
-- retained in period N when they have an event in the period N periods after the cohort's
-- start. Every cohort, every period 0..30 days / 0..12 weeks that has begun, zeros kept.
--   person_days  each person's distinct active days (UTC) in one sort by (person, day); over
--                that order, a window gives the person's first day and marks the first active
--                day of each week, so weeks need no second DISTINCT
--   activity     one row per person and active period inside the grid: days 0..30, weeks
--                0..12 (person_days is read once, so it streams instead of being stored)
--   retained     persons per (granularity, cohort, period): a small hash aggregate
--   grid         every period that has begun, per cohort (generate_series over ~200 cohorts)
--   cells        grid and counts matched by GROUP BY over their UNION ALL, not by a join
DROP MATERIALIZED VIEW analytics.mv_retention_cohorts;
CREATE MATERIALIZED VIEW analytics.mv_retention_cohorts AS
WITH person_days AS (
    SELECT d.person, d.day,
           first_value(d.day) OVER w AS first_day,
           date_trunc('week', lag(d.day) OVER w)::date IS DISTINCT FROM date_trunc('week', d.day)::date AS first_of_week
    FROM (SELECT DISTINCT e.person, (e.occurred_at AT TIME ZONE 'UTC')::date AS day
          FROM warehouse.event_stream e) d
    WINDOW w AS (PARTITION BY d.person ORDER BY d.day)
), grains (granularity, period_days, last_period) AS (
    VALUES ('day', 1, 30), ('week', 7, 12)
), activity AS (
    SELECT a.granularity, a.cohort_start, a.period_number
    FROM person_days p
    CROSS JOIN LATERAL (VALUES
        ('day', p.first_day, p.day - p.first_day, true),
        ('week', date_trunc('week', p.first_day)::date,
                 (date_trunc('week', p.day)::date - date_trunc('week', p.first_day)::date) / 7, p.first_of_week)
    ) AS a (granularity, cohort_start, period_number, counts)
    JOIN grains g ON g.granularity = a.granularity
    WHERE a.counts AND a.period_number <= g.last_period
), retained AS (
    SELECT granularity, cohort_start, period_number, count(*) AS retained
    FROM activity
    GROUP BY granularity, cohort_start, period_number
), grid AS (
    SELECT r.granularity, r.cohort_start, n.period_number
    FROM retained r
    JOIN grains g USING (granularity)
    CROSS JOIN LATERAL generate_series(
        0, least(g.last_period, ((now() AT TIME ZONE 'UTC')::date - r.cohort_start) / g.period_days)
    ) AS n (period_number)
    WHERE r.period_number = 0
), cells AS (
    SELECT granularity, cohort_start, period_number, max(retained) AS retained, bool_or(in_grid) AS in_grid
    FROM (SELECT granularity, cohort_start, period_number, retained, false AS in_grid FROM retained
          UNION ALL
          SELECT granularity, cohort_start, period_number, 0::bigint, true FROM grid) c
    GROUP BY granularity, cohort_start, period_number
)
SELECT c.granularity,
       c.cohort_start,
       c.period_number,
       max(c.retained) FILTER (WHERE c.period_number = 0) OVER cohort                        AS cohort_size,
       c.retained,
       c.retained::double precision / max(c.retained) FILTER (WHERE c.period_number = 0) OVER cohort AS retention_rate
FROM cells c
WHERE c.in_grid
WINDOW cohort AS (PARTITION BY c.granularity, c.cohort_start);

CREATE UNIQUE INDEX mv_retention_cohorts_key
    ON analytics.mv_retention_cohorts (granularity, cohort_start, period_number);

-- Sessions (semantics.md): a person's session starts at their first event and at every event
-- more than 30 minutes after their previous one (exactly 30 minutes stays in the session).
-- One sort of the events by (person, occurred_at, event_id); over that order the windows mark
-- each event's session start, session end and place in the person's order, and the GROUP BY
-- picks the first and last values by those marks instead of sorting every session again.
DROP MATERIALIZED VIEW analytics.mv_sessions;
CREATE MATERIALIZED VIEW analytics.mv_sessions AS
WITH ordered AS (
    SELECT e.person, e.event_id, e.occurred_at, e.event_type, e.account_id,
           CASE WHEN e.occurred_at - lag(e.occurred_at) OVER w <= interval '30 minutes'
                THEN 0 ELSE 1 END                                                        AS starts_session,
           NOT coalesce(lead(e.occurred_at) OVER w - e.occurred_at <= interval '30 minutes', false) AS ends_session,
           row_number() OVER w                                                           AS n
    FROM warehouse.event_stream e
    WINDOW w AS (PARTITION BY e.person ORDER BY e.occurred_at, e.event_id)
), numbered AS (
    SELECT o.*,
           sum(o.starts_session) OVER (PARTITION BY o.person ORDER BY o.occurred_at, o.event_id
                                       ROWS UNBOUNDED PRECEDING) AS session_number
    FROM ordered o
)
SELECT md5(n.person || '/' || max(n.event_id::text) FILTER (WHERE n.starts_session = 1))     AS session_id,
       n.person,
       -- the first event that has an account: the least place in the person's order, as a
       -- zero-padded prefix that sorts in that order
       coalesce(substr(min(lpad(n.n::text, 20, '0') || n.account_id COLLATE "C")
                           FILTER (WHERE n.account_id IS NOT NULL), 21), '')            AS account_id,
       min(n.occurred_at)                                                                AS started_at,
       max(n.occurred_at)                                                                AS ended_at,
       extract(epoch FROM max(n.occurred_at) - min(n.occurred_at))::double precision     AS duration_seconds,
       count(*)                                                                          AS event_count,
       max(n.event_type) FILTER (WHERE n.starts_session = 1)                             AS first_event_type,
       max(n.event_type) FILTER (WHERE n.ends_session)                                   AS last_event_type
FROM numbered n
GROUP BY n.person, n.session_number;

CREATE UNIQUE INDEX mv_sessions_session_id ON analytics.mv_sessions (session_id);
CREATE INDEX mv_sessions_started_at ON analytics.mv_sessions (started_at);

GRANT SELECT ON analytics.mv_retention_cohorts, analytics.mv_sessions TO spectrum_reader;

RESET ROLE;
