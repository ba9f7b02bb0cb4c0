-- A refreshed view gets fresh planner statistics at once (issue #14, dashboards at scale).
-- REFRESH MATERIALIZED VIEW CONCURRENTLY rewrites the view's rows but not its statistics: a view
-- first filled after the migration's ANALYZE (or grown a lot since) keeps reltuples = 0 and
-- stale column statistics until autovacuum gets to it. At 5M events the Top accounts panel then
-- planned a 7-row sort for 63,000 rows of mv_revenue_summary, spilled it to disk and took
-- 117 ms at p95 instead of 38 ms (docs/benchmarks.md, Dashboard queries).
--
-- refresh_view now runs ANALYZE on the view after a concurrent refresh, in the same
-- transaction (ANALYZE samples at most 30,000 rows; it takes a lock that readers do not wait
-- for). mv_sessions is left out: its plain refresh sets reltuples, and sampling one row per
-- session of a 10M-row view costs about 5 s, more than the rest of the views' ANALYZE together
-- (mv_revenue_summary: 0.4 s at 10M, the others 0.01-0.02 s); autovacuum analyzes it.
--
-- The rest of the body is V17's, unchanged.
SET LOCAL ROLE spectrum_pipeline;

CREATE OR REPLACE FUNCTION warehouse.refresh_view(view_name text) RETURNS timestamptz
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET jit = off
AS $fn$
DECLARE
    matview name;
    refreshed timestamptz;
BEGIN
    SELECT m.matviewname INTO matview
    FROM pg_matviews m
    WHERE m.schemaname = 'analytics'
      AND m.matviewname = regexp_replace(view_name, '^analytics\.', '');
    IF matview IS NULL THEN
        RAISE EXCEPTION 'no materialized view analytics.% to refresh', view_name
            USING ERRCODE = 'undefined_table';
    END IF;
    IF matview IN ('mv_retention_cohorts', 'mv_active_persons', 'mv_lifecycle', 'mv_daily_activity',
                   'mv_sessions', 'mv_session_days', 'mv_session_event_types') THEN
        PERFORM warehouse.derive_settle();
    END IF;
    IF matview IN ('mv_active_persons', 'mv_lifecycle')
       AND pg_try_advisory_xact_lock(hashtext('spectrum.warehouse.run_pipeline')) THEN
        PERFORM warehouse.person_cells_catch_up();
    END IF;
    IF matview = 'mv_sessions' THEN
        REFRESH MATERIALIZED VIEW analytics.mv_sessions;
    ELSE
        EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.%I', matview);
        EXECUTE format('ANALYZE analytics.%I', matview);
    END IF;
    refreshed := clock_timestamp();
    INSERT INTO analytics.view_refreshes (view_name, refreshed_at) VALUES ('analytics.' || matview, refreshed);
    RETURN refreshed;
END
$fn$;

RESET ROLE;
