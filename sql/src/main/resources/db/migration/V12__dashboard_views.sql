-- The views the Grafana dashboards read (dashboards.md, data-model.md): daily activity per event
-- type, daily/weekly/monthly active persons, the lifecycle of persons per day/week/month, and two
-- per-day session summaries, so that no panel has to aggregate raw facts or per-session rows.
-- Each is a materialized view with a unique index (refreshed CONCURRENTLY by the pipeline with
-- the other standard views) and readable by spectrum_reader (default privileges, V1).
--
-- Days are UTC calendar days; weeks start on Monday. Every view groups the facts per person and
-- day once and works from those rows with window functions and range sums: no per-row
-- correlated subqueries, and no plan that is only fast when the row estimates are right.
SET LOCAL ROLE spectrum_pipeline;

-- One row per UTC day x event type with at least one event.
CREATE MATERIALIZED VIEW analytics.mv_daily_activity AS
WITH per_person AS (
    SELECT (e.occurred_at AT TIME ZONE 'UTC')::date AS day, e.event_type, e.person, count(*) AS events
    FROM warehouse.event_stream e
    GROUP BY 1, 2, 3
)
SELECT day, event_type, sum(events)::bigint AS events, count(*) AS persons
FROM per_person
GROUP BY day, event_type;

CREATE UNIQUE INDEX mv_daily_activity_key ON analytics.mv_daily_activity (day, event_type);
COMMENT ON MATERIALIZED VIEW analytics.mv_daily_activity IS
    'One row per UTC day and event type: events, and distinct persons with that event that day.';

-- Active persons: a person is active on a day with at least one event that UTC day. One row per
-- day from the first day with an event up to today, days without events included.
--
-- wau/mau without a self-join: a person active on days a1 < a2 < ... is in the 7-day window
-- ending on day d exactly when d lies in the union of [a_i, a_i + 6]. The part of
-- [a_i, a_i + 6] that no earlier active day covered is [max(a_i, a_(i-1) + 7), a_i + 6]; these
-- parts are disjoint, so wau(d) = (parts started on or before d) - (parts ended before d), and
-- every part ends the day before a_i + 7, i.e. parts ended before d = active days on or before
-- d - 7. The same with 30 for mau.
CREATE MATERIALIZED VIEW analytics.mv_active_persons AS
WITH bounds AS (
    SELECT (now() AT TIME ZONE 'UTC')::date AS today
), person_days AS (        -- events dated after today wait for their day
    SELECT DISTINCT e.person, (e.occurred_at AT TIME ZONE 'UTC')::date AS day
    FROM warehouse.event_stream e
    WHERE e.occurred_at < (SELECT (today + 1)::timestamp AT TIME ZONE 'UTC' FROM bounds)
), spans AS (
    SELECT day,
           greatest(day, lag(day) OVER w + 7)  AS week_start,
           greatest(day, lag(day) OVER w + 30) AS month_start
    FROM person_days
    WINDOW w AS (PARTITION BY person ORDER BY day)
), active AS (
    SELECT day, count(*) AS n FROM spans GROUP BY day
), week_starts AS (
    SELECT week_start AS day, count(*) AS n FROM spans GROUP BY week_start
), month_starts AS (
    SELECT month_start AS day, count(*) AS n FROM spans GROUP BY month_start
), days AS (
    SELECT d::date AS day,
           coalesce(a.n, 0) AS dau,
           coalesce(w.n, 0) AS week_starts,
           coalesce(m.n, 0) AS month_starts
    FROM generate_series((SELECT min(day) FROM person_days), (SELECT today FROM bounds), interval '1 day') AS d
    LEFT JOIN active a       ON a.day = d::date
    LEFT JOIN week_starts w  ON w.day = d::date
    LEFT JOIN month_starts m ON m.day = d::date
)
SELECT day,
       dau::bigint AS dau,
       (sum(week_starts) OVER upto - (sum(dau) OVER upto - sum(dau) OVER last7))::bigint   AS wau,
       (sum(month_starts) OVER upto - (sum(dau) OVER upto - sum(dau) OVER last30))::bigint AS mau
FROM days
WINDOW upto   AS (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
       last7  AS (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW),
       last30 AS (ORDER BY day ROWS BETWEEN 29 PRECEDING AND CURRENT ROW);

CREATE UNIQUE INDEX mv_active_persons_key ON analytics.mv_active_persons (day);
COMMENT ON MATERIALIZED VIEW analytics.mv_active_persons IS
    'One row per UTC day up to today: distinct persons active that day (dau), in the 7 days ending that day (wau), in the 30 days ending that day (mau).';

-- Lifecycle per day, week and month: a person active in a period is new (their first active
-- period), returning (also active in the previous period) or resurrecting (otherwise); dormant
-- counts persons active in the previous period and not in this one. Every period from the
-- first active one to the current one, every status, zeros included.
CREATE MATERIALIZED VIEW analytics.mv_lifecycle AS
WITH bounds AS (
    SELECT (now() AT TIME ZONE 'UTC')::date AS today
), person_days AS (
    SELECT DISTINCT e.person, (e.occurred_at AT TIME ZONE 'UTC')::date AS day
    FROM warehouse.event_stream e
    WHERE e.occurred_at < (SELECT (today + 1)::timestamp AT TIME ZONE 'UTC' FROM bounds)
), grains (granularity, step) AS (
    VALUES ('day', interval '1 day'), ('week', interval '7 days'), ('month', interval '1 month')
), person_periods AS (
    SELECT 'day' AS granularity, person, day AS period_start FROM person_days
    UNION ALL
    SELECT DISTINCT 'week', person, date_trunc('week', day)::date FROM person_days
    UNION ALL
    SELECT DISTINCT 'month', person, date_trunc('month', day)::date FROM person_days
), linked AS (
    SELECT p.granularity, p.period_start, g.step,
           lag(p.period_start) OVER w  AS previous_start,
           lead(p.period_start) OVER w AS next_start
    FROM person_periods p
    JOIN grains g USING (granularity)
    WINDOW w AS (PARTITION BY p.granularity, p.person ORDER BY p.period_start)
), statuses AS (
    SELECT granularity, period_start,
           CASE WHEN previous_start IS NULL THEN 'new'
                WHEN previous_start = (period_start - step)::date THEN 'returning'
                ELSE 'resurrecting' END AS status
    FROM linked
    UNION ALL
    SELECT granularity, (period_start + step)::date, 'dormant'
    FROM linked
    WHERE next_start IS DISTINCT FROM (period_start + step)::date
), counted AS (
    SELECT granularity, period_start, status, count(*) AS persons
    FROM statuses
    GROUP BY granularity, period_start, status
), periods AS (
    SELECT g.granularity, p::date AS period_start
    FROM grains g
    CROSS JOIN LATERAL (
        SELECT min(period_start) AS first_start FROM person_periods pp WHERE pp.granularity = g.granularity
    ) f
    CROSS JOIN bounds b
    CROSS JOIN LATERAL generate_series(
        f.first_start,
        CASE g.granularity WHEN 'day' THEN b.today
                           WHEN 'week' THEN date_trunc('week', b.today)::date
                           ELSE date_trunc('month', b.today)::date END,
        g.step) AS p
    WHERE f.first_start IS NOT NULL
)
SELECT p.granularity, p.period_start, s.status, coalesce(c.persons, 0)::bigint AS persons
FROM periods p
CROSS JOIN (VALUES ('new'), ('returning'), ('resurrecting'), ('dormant')) AS s (status)
LEFT JOIN counted c
       ON c.granularity = p.granularity AND c.period_start = p.period_start AND c.status = s.status;

CREATE UNIQUE INDEX mv_lifecycle_key ON analytics.mv_lifecycle (granularity, period_start, status);
COMMENT ON MATERIALIZED VIEW analytics.mv_lifecycle IS
    'Persons per period (day, week, month) by lifecycle status: new, returning, resurrecting, dormant (active in the previous period, not in this one; never negative).';

-- Sessions per UTC day of their start (from analytics.mv_sessions): what the sessions
-- dashboard shows, so that no panel reads one row per session.
CREATE MATERIALIZED VIEW analytics.mv_session_days AS
SELECT (s.started_at AT TIME ZONE 'UTC')::date AS day,
       count(*)                                                            AS sessions,
       count(DISTINCT s.person)                                            AS persons,
       sum(s.event_count)::bigint                                          AS events,
       sum(s.duration_seconds)                                             AS total_seconds,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY s.duration_seconds)     AS median_seconds,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY s.duration_seconds)     AS p90_seconds,
       count(*) FILTER (WHERE s.duration_seconds = 0)                      AS single_moment,
       count(*) FILTER (WHERE s.duration_seconds > 0 AND s.duration_seconds < 60)       AS under_1m,
       count(*) FILTER (WHERE s.duration_seconds >= 60 AND s.duration_seconds < 300)    AS from_1m_to_5m,
       count(*) FILTER (WHERE s.duration_seconds >= 300 AND s.duration_seconds < 900)   AS from_5m_to_15m,
       count(*) FILTER (WHERE s.duration_seconds >= 900 AND s.duration_seconds < 1800)  AS from_15m_to_30m,
       count(*) FILTER (WHERE s.duration_seconds >= 1800 AND s.duration_seconds < 3600) AS from_30m_to_1h,
       count(*) FILTER (WHERE s.duration_seconds >= 3600)                  AS over_1h
FROM analytics.mv_sessions s
GROUP BY 1;

CREATE UNIQUE INDEX mv_session_days_key ON analytics.mv_session_days (day);
COMMENT ON MATERIALIZED VIEW analytics.mv_session_days IS
    'One row per UTC day of session start: sessions, distinct persons with a session, events in them, median and p90 duration, sessions per duration bucket.';

-- Entry and exit event types of sessions, per UTC day of the session's start.
CREATE MATERIALIZED VIEW analytics.mv_session_event_types AS
SELECT day, event_type, sum(entries)::bigint AS entries, sum(exits)::bigint AS exits
FROM (
    SELECT (started_at AT TIME ZONE 'UTC')::date AS day, first_event_type AS event_type, 1 AS entries, 0 AS exits
    FROM analytics.mv_sessions
    UNION ALL
    SELECT (started_at AT TIME ZONE 'UTC')::date, last_event_type, 0, 1
    FROM analytics.mv_sessions
) x
GROUP BY day, event_type;

CREATE UNIQUE INDEX mv_session_event_types_key ON analytics.mv_session_event_types (day, event_type);
COMMENT ON MATERIALIZED VIEW analytics.mv_session_event_types IS
    'Per UTC day of session start and event type: sessions that began (entries) and ended (exits) with that event type.';

-- The standard views the pipeline keeps fresh, now with the dashboards' views (the session
-- summaries after mv_sessions, which they read).
CREATE OR REPLACE FUNCTION warehouse.refresh_standard_views() RETURNS void
    LANGUAGE sql
AS $fn$
    SELECT warehouse.refresh_view('mv_sessions');
    SELECT warehouse.refresh_view('mv_retention_cohorts');
    SELECT warehouse.refresh_view('mv_revenue_summary');
    SELECT warehouse.refresh_view('mv_daily_activity');
    SELECT warehouse.refresh_view('mv_active_persons');
    SELECT warehouse.refresh_view('mv_lifecycle');
    SELECT warehouse.refresh_view('mv_session_days');
    SELECT warehouse.refresh_view('mv_session_event_types');
$fn$;

RESET ROLE;
