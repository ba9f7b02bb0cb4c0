-- analytics: what dashboards read. Owned by spectrum_pipeline, readable by spectrum_reader.
-- Periods are calendar periods in UTC; weeks start on Monday.
SET LOCAL ROLE spectrum_pipeline;

CREATE TABLE analytics.pipeline_runs (
    run_id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at          timestamptz NOT NULL,
    finished_at         timestamptz,
    raw_from            bigint      NOT NULL,
    raw_to              bigint      NOT NULL,
    events_loaded       bigint      NOT NULL DEFAULT 0,
    duplicates_skipped  bigint      NOT NULL DEFAULT 0,
    status              text        NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    error               text
);
COMMENT ON TABLE analytics.pipeline_runs IS
    'One row per pipeline run. The run covered staging ids raw_from..raw_to (empty when raw_to < raw_from).';

CREATE TABLE analytics.view_refreshes (
    view_name     text        NOT NULL,
    refreshed_at  timestamptz NOT NULL
);
CREATE INDEX view_refreshes_latest ON analytics.view_refreshes (view_name, refreshed_at DESC);
COMMENT ON TABLE analytics.view_refreshes IS 'One row per refresh of an analytics materialized view.';

-- Sessions: a person's session starts at their first event and at every event more than
-- 30 minutes after their previous one (exactly 30 minutes stays in the session).
CREATE MATERIALIZED VIEW analytics.mv_sessions AS
WITH ordered AS (
    SELECT e.person, e.event_id, e.occurred_at, e.event_type, e.account_id,
           CASE WHEN e.occurred_at - lag(e.occurred_at) OVER w <= interval '30 minutes'
                THEN 0 ELSE 1 END AS starts_session
    FROM warehouse.event_stream e
    WINDOW w AS (PARTITION BY e.person ORDER BY e.occurred_at, e.event_id)
), numbered AS (
    SELECT o.*,
           sum(o.starts_session) OVER (PARTITION BY o.person ORDER BY o.occurred_at, o.event_id) AS session_number
    FROM ordered o
)
SELECT md5(n.person || '/' || (array_agg(n.event_id ORDER BY n.occurred_at, n.event_id))[1]::text) AS session_id,
       n.person,
       coalesce((array_agg(n.account_id ORDER BY n.occurred_at, n.event_id)
                    FILTER (WHERE n.account_id IS NOT NULL))[1], '')             AS account_id,
       min(n.occurred_at)                                                         AS started_at,
       max(n.occurred_at)                                                         AS ended_at,
       extract(epoch FROM max(n.occurred_at) - min(n.occurred_at))::double precision AS duration_seconds,
       count(*)                                                                   AS event_count,
       (array_agg(n.event_type ORDER BY n.occurred_at, n.event_id))[1]            AS first_event_type,
       (array_agg(n.event_type ORDER BY n.occurred_at DESC, n.event_id DESC))[1]  AS last_event_type
FROM numbered n
GROUP BY n.person, n.session_number;

CREATE UNIQUE INDEX mv_sessions_session_id ON analytics.mv_sessions (session_id);
CREATE INDEX mv_sessions_started_at ON analytics.mv_sessions (started_at);

-- Retention: a person's cohort is the period of their first event; they are retained in
-- period N when they have an event in the period N periods after the cohort's start. Every
-- cohort, every period 0..30 days / 0..12 weeks that has begun (as of the refresh), zeros kept.
CREATE MATERIALIZED VIEW analytics.mv_retention_cohorts AS
WITH active_days AS (
    SELECT DISTINCT e.person, (e.occurred_at AT TIME ZONE 'UTC')::date AS day
    FROM warehouse.event_stream e
), first_days AS (
    SELECT person, min(day) AS first_day FROM active_days GROUP BY person
), grains (granularity, period_days, last_period) AS (
    VALUES ('day', 1, 30), ('week', 7, 12)
), activity AS (           -- (granularity, person, cohort start, period number) per active period
    SELECT DISTINCT g.granularity, a.person, c.cohort_start,
           (p.period_start - c.cohort_start) / g.period_days AS period_number
    FROM active_days a
    JOIN first_days f USING (person)
    CROSS JOIN grains g
    CROSS JOIN LATERAL (SELECT CASE g.granularity WHEN 'week' THEN date_trunc('week', f.first_day)::date
                                                  ELSE f.first_day END AS cohort_start) c
    CROSS JOIN LATERAL (SELECT CASE g.granularity WHEN 'week' THEN date_trunc('week', a.day)::date
                                                  ELSE a.day END AS period_start) p
), cohorts AS (
    SELECT granularity, cohort_start, count(*) AS cohort_size
    FROM activity WHERE period_number = 0
    GROUP BY granularity, cohort_start
), retained AS (
    SELECT granularity, cohort_start, period_number, count(*) AS retained
    FROM activity
    GROUP BY granularity, cohort_start, period_number
)
SELECT c.granularity,
       c.cohort_start,
       n.period_number,
       c.cohort_size,
       coalesce(r.retained, 0)                              AS retained,
       coalesce(r.retained, 0)::double precision / c.cohort_size AS retention_rate
FROM cohorts c
JOIN grains g USING (granularity)
CROSS JOIN LATERAL generate_series(
    0, least(g.last_period, ((now() AT TIME ZONE 'UTC')::date - c.cohort_start) / g.period_days)
) AS n (period_number)
LEFT JOIN retained r
       ON r.granularity = c.granularity AND r.cohort_start = c.cohort_start AND r.period_number = n.period_number;

CREATE UNIQUE INDEX mv_retention_cohorts_key
    ON analytics.mv_retention_cohorts (granularity, cohort_start, period_number);

-- Revenue: per day and per month, over all accounts (account_id '') and per account.
-- Rows exist only for periods (and accounts) with at least one revenue event; refunds count
-- negative and their persons and accounts count as paying.
CREATE MATERIALIZED VIEW analytics.mv_revenue_summary AS
WITH revenue_events AS (
    SELECT e.person, e.account_id, e.revenue, (e.occurred_at AT TIME ZONE 'UTC')::date AS day
    FROM warehouse.event_stream e
    WHERE e.revenue IS NOT NULL
), by_period AS (
    SELECT 'day' AS granularity, day AS period_start, person, account_id, revenue FROM revenue_events
    UNION ALL
    SELECT 'month', date_trunc('month', day)::date, person, account_id, revenue FROM revenue_events
), summary AS (
    SELECT granularity, period_start, '' AS account_id,
           sum(revenue) AS revenue, count(*) AS orders,
           count(DISTINCT person) AS paying_persons, count(DISTINCT account_id) AS paying_accounts
    FROM by_period
    GROUP BY granularity, period_start
    UNION ALL
    SELECT granularity, period_start, account_id,
           sum(revenue), count(*), count(DISTINCT person), 1
    FROM by_period
    WHERE account_id IS NOT NULL
    GROUP BY granularity, period_start, account_id
)
SELECT granularity, period_start, account_id, revenue, orders, paying_persons, paying_accounts,
       revenue / paying_persons AS arppu
FROM summary;

CREATE UNIQUE INDEX mv_revenue_summary_key
    ON analytics.mv_revenue_summary (granularity, period_start, account_id);

RESET ROLE;

