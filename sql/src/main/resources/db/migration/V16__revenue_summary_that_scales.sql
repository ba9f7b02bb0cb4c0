-- Revenue that scales (issue #17): analytics.mv_revenue_summary redefined so that no group counts
-- DISTINCT on its own. V4's definition ran count(DISTINCT person) and count(DISTINCT account_id)
-- per period and per (period, account): every one of those groups sorted its persons again
-- (~375k sorts at 10M events, and one spilling sort per month over all accounts).
--
-- Same columns, same rows, same numbers as V4 (RevenueTest; RevenueScaleTest keeps V4's
-- definition as the oracle). The revenue events are sorted once by (person, day, account); over
-- that order lag() marks each person's first event of a day, of a month and of a (day, account);
-- a row_number() over (person, month, account), which the planner sorts incrementally within
-- each person, marks the first of a (month, account). One GROUP BY GROUPING SETS then counts the
-- marks: persons per day, per month, per (day, account) and per (month, account), with revenue
-- and orders. Paying accounts per period are the (period, account) rows, counted by a GROUP BY
-- over those rows, not by a join. Scans, sorts, window functions and GROUP BY only: no plan that
-- hangs on a row estimate.
--
-- Nothing else is built on the view (pg_depend: no view reads it); the dashboards and the CLI
-- read it by name, and warehouse.refresh_standard_views() refreshes it by name.
--
-- Also here: warehouse.refresh_view without JIT (below).
SET LOCAL ROLE spectrum_pipeline;

DROP MATERIALIZED VIEW analytics.mv_revenue_summary;
CREATE MATERIALIZED VIEW analytics.mv_revenue_summary AS
WITH revenue_events AS (
    SELECT e.person, e.account_id, e.revenue,
           (e.occurred_at AT TIME ZONE 'UTC')::date AS day,
           date_trunc('month', e.occurred_at AT TIME ZONE 'UTC')::date AS month
    FROM warehouse.event_stream e
    WHERE e.revenue IS NOT NULL
), marked AS (
    SELECT r.*,
           (r.person, r.day) IS DISTINCT FROM (lag(r.person) OVER w, lag(r.day) OVER w)             AS first_of_day,
           (r.person, r.month) IS DISTINCT FROM (lag(r.person) OVER w, lag(r.month) OVER w)         AS first_of_month,
           (r.person, r.day, r.account_id)
               IS DISTINCT FROM (lag(r.person) OVER w, lag(r.day) OVER w, lag(r.account_id) OVER w) AS first_of_account_day
    FROM revenue_events r
    WINDOW w AS (ORDER BY r.person, r.day, r.account_id)
), marked_months AS (
    SELECT m.*,
           row_number() OVER (PARTITION BY m.person, m.month, m.account_id ORDER BY m.day) = 1    AS first_of_account_month
    FROM marked m
), sets AS (
    SELECT CASE WHEN grouping(s.day) = 0 THEN 'day' ELSE 'month' END AS granularity,
           coalesce(s.day, s.month)                                  AS period_start,
           grouping(s.account_id) = 0                                AS per_account,
           s.account_id,
           sum(s.revenue)                                            AS revenue,
           count(*)                                                  AS orders,
           CASE WHEN grouping(s.day, s.account_id) = 0 THEN count(*) FILTER (WHERE s.first_of_account_day)
                WHEN grouping(s.day) = 0               THEN count(*) FILTER (WHERE s.first_of_day)
                WHEN grouping(s.account_id) = 0        THEN count(*) FILTER (WHERE s.first_of_account_month)
                ELSE                                        count(*) FILTER (WHERE s.first_of_month) END AS paying_persons
    FROM marked_months s
    GROUP BY GROUPING SETS ((s.day, s.account_id), (s.day), (s.month, s.account_id), (s.month))
), summary AS (
    SELECT granularity, period_start, ''::text AS account_id,
           max(revenue) FILTER (WHERE NOT per_account)        AS revenue,
           max(orders) FILTER (WHERE NOT per_account)         AS orders,
           max(paying_persons) FILTER (WHERE NOT per_account) AS paying_persons,
           count(*) FILTER (WHERE per_account AND account_id IS NOT NULL) AS paying_accounts
    FROM sets
    GROUP BY granularity, period_start
    UNION ALL
    SELECT granularity, period_start, account_id, revenue, orders, paying_persons, 1
    FROM sets
    WHERE per_account AND account_id IS NOT NULL
)
SELECT granularity, period_start, account_id, revenue, orders, paying_persons, paying_accounts,
       revenue / paying_persons AS arppu
FROM summary;

CREATE UNIQUE INDEX mv_revenue_summary_key
    ON analytics.mv_revenue_summary (granularity, period_start, account_id);

COMMENT ON MATERIALIZED VIEW analytics.mv_revenue_summary IS
    'Revenue per UTC day and month, over all accounts (account_id empty) and per account: revenue (refunds negative), orders, paying persons and accounts, arppu. Rows only for periods with revenue events.';

GRANT SELECT ON analytics.mv_revenue_summary TO spectrum_reader;

-- Refreshes run without JIT: JIT compiled every refresh's query afresh, 0.5 s for this view and
-- 2-4 s for each funnel at 1M events, more than the queries themselves took. (work_mem is left
-- at the server's setting: with 64MB the planner gave up the parallel sort of a strict funnel's
-- 10M events for one in-memory sort in a single process, and took longer.) ALTER, not CREATE OR
-- REPLACE: the body stays the one of the latest migration that defined it (V14's catch-up);
-- a migration that replaces the function again must repeat SET jit = off.
ALTER FUNCTION warehouse.refresh_view(text) SET jit = off;

RESET ROLE;
