-- The pipeline: CALL warehouse.run_pipeline() loads what arrived in staging since the last
-- run into the warehouse, in bounded all-or-nothing batches, then refreshes the standard
-- analytics views. Semantics: docs/pipeline.md (person, dedup, revenue).
SET LOCAL ROLE spectrum_pipeline;

-- A JSON value as a number: a JSON number, or a string that is a plain decimal (optional sign,
-- digits, optional fraction); anything else is null, never an error. A decimal string beyond
-- what PostgreSQL's numeric can hold (over 131072 digits, or over 16383 after the point) is not
-- a number either, since numeric input would refuse it and that must never stop a load. Used
-- for revenue and for gt/gte/lt/lte filters.
CREATE FUNCTION warehouse.json_number(value jsonb) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT CASE jsonb_typeof(value)
               WHEN 'number' THEN (value #>> '{}')::numeric
               WHEN 'string' THEN
                   CASE WHEN length(value #>> '{}') <= 131072
                         AND (value #>> '{}') ~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$'
                         AND length(coalesce(substring(value #>> '{}' FROM '\.([0-9]*)$'), '')) <= 16383
                        THEN (value #>> '{}')::numeric
                   END
           END
$fn$;

-- An event's revenue: its "revenue" property as a number (semantics.md, Revenue).
CREATE FUNCTION warehouse.revenue_of(properties jsonb) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT warehouse.json_number(properties -> 'revenue')
$fn$;

-- The name of the fact_events partition for a month: fact_events_y2026m11.
CREATE FUNCTION warehouse.fact_partition_name(month date) RETURNS text
    LANGUAGE sql IMMUTABLE
AS $fn$
    SELECT 'fact_events_y' || to_char(month, 'YYYY') || 'm' || to_char(month, 'MM')
           || CASE WHEN month < date '0001-01-01' THEN 'bc' ELSE '' END
$fn$;

-- Creates the partition of warehouse.fact_events holding the given month (UTC), if missing.
CREATE FUNCTION warehouse.ensure_fact_partition(month date) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    first_day date := date_trunc('month', month)::date;
    name text := warehouse.fact_partition_name(first_day);
BEGIN
    IF to_regclass(format('warehouse.%I', name)) IS NULL THEN
        EXECUTE format('CREATE TABLE warehouse.%I PARTITION OF warehouse.fact_events FOR VALUES FROM (%L) TO (%L)',
                       name,
                       to_char(first_day, 'YYYY-MM-DD AD') || ' 00:00:00+00',
                       to_char((first_day + interval '1 month')::date, 'YYYY-MM-DD AD') || ' 00:00:00+00');
    END IF;
END
$fn$;

-- Loads the staging rows with from_id < id <= to_id: one batch, all or nothing (the caller
-- runs it in its own transaction). Returns how many events it loaded and how many staging rows
-- it skipped as duplicates of an event_id loaded before (or earlier in the same batch).
CREATE FUNCTION warehouse.load_batch(from_id bigint, to_id bigint,
                                     OUT events_loaded bigint, OUT duplicates_skipped bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    -- The batch's sorts and hashes stay in memory; no JIT (compiling costs more than it saves on
    -- a batch).
    SET work_mem = '128MB'
    SET jit = off
AS $fn$
DECLARE
    staged bigint;
    month date;
BEGIN
    -- 1. The batch: the staging rows of the range, in arrival order.
    CREATE TEMP TABLE batch ON COMMIT DROP AS
    SELECT r.id, r.event_id, r.event_type COLLATE "C" AS event_type, r.occurred_at, r.properties,
           nullif(r.account_id, '') COLLATE "C"   AS account_id,
           nullif(r.user_id, '') COLLATE "C"      AS user_id,
           nullif(r.anonymous_id, '') COLLATE "C" AS anonymous_id,
           CASE WHEN nullif(r.user_id, '') IS NOT NULL THEN 'user' ELSE 'anonymous' END COLLATE "C" AS id_kind,
           coalesce(nullif(r.user_id, ''), nullif(r.anonymous_id, '')) COLLATE "C" AS distinct_id,
           upper(coalesce(r.context ->> 'country', '')) COLLATE "C" AS country,
           coalesce(r.context ->> 'region', '') COLLATE "C"         AS region,
           coalesce(r.context ->> 'city', '') COLLATE "C"           AS city
    FROM staging.raw_events r
    WHERE r.id > from_id AND r.id <= to_id;
    GET DIAGNOSTICS staged = ROW_COUNT;

    -- Dedup: register the event_ids; the first copy of each (lowest staging id) wins. Usually
    -- no id of the batch was seen before: one plain insert. When one was (a retry, a copy in
    -- this batch), that insert fails on the registry's key, and the slow path inserts in
    -- arrival order, skips the ids that conflict and drops their rows from the batch.
    BEGIN
        INSERT INTO warehouse.loaded_events (event_id, raw_id)
        SELECT event_id, id FROM batch ORDER BY event_id;   -- in key order: each index page once
        duplicates_skipped := 0;
    EXCEPTION WHEN unique_violation THEN
        WITH winners AS (
            INSERT INTO warehouse.loaded_events (event_id, raw_id)
            SELECT event_id, id FROM batch ORDER BY id
            ON CONFLICT (event_id) DO NOTHING
            RETURNING raw_id
        )
        DELETE FROM batch b WHERE NOT EXISTS (SELECT FROM winners w WHERE w.raw_id = b.id);
        GET DIAGNOSTICS duplicates_skipped = ROW_COUNT;
    END;
    events_loaded := staged - duplicates_skipped;

    ANALYZE batch (id, event_type, account_id, id_kind, distinct_id, country, region, city);

    -- 2. Dimensions. Existing rows first (widen first/last seen), then the new ones, so that
    --    surrogate keys are drawn only for rows that are really new.
    WITH s AS (SELECT event_type, min(occurred_at) AS first_seen FROM batch GROUP BY event_type),
    widened AS (
        UPDATE warehouse.dim_event_types t SET first_seen_at = s.first_seen
        FROM s WHERE t.event_type = s.event_type AND s.first_seen < t.first_seen_at
    )
    INSERT INTO warehouse.dim_event_types (event_type, first_seen_at)
    SELECT s.event_type, s.first_seen FROM s
    WHERE NOT EXISTS (SELECT FROM warehouse.dim_event_types t WHERE t.event_type = s.event_type);

    WITH s AS (
        SELECT account_id, min(occurred_at) AS first_seen, max(occurred_at) AS last_seen
        FROM batch WHERE account_id IS NOT NULL GROUP BY account_id
    ), widened AS (
        UPDATE warehouse.dim_accounts a
        SET first_seen_at = least(a.first_seen_at, s.first_seen),
            last_seen_at  = greatest(a.last_seen_at, s.last_seen)
        FROM s
        WHERE a.account_id = s.account_id
          AND (s.first_seen < a.first_seen_at OR s.last_seen > a.last_seen_at)
    )
    INSERT INTO warehouse.dim_accounts (account_id, first_seen_at, last_seen_at)
    SELECT s.account_id, s.first_seen, s.last_seen FROM s
    WHERE NOT EXISTS (SELECT FROM warehouse.dim_accounts a WHERE a.account_id = s.account_id);

    INSERT INTO warehouse.dim_geography (country_code, region, city)
    SELECT DISTINCT b.country, b.region, b.city FROM batch b
    WHERE NOT EXISTS (SELECT FROM warehouse.dim_geography g
                      WHERE (g.country_code, g.region, g.city) = (b.country, b.region, b.city));

    -- 3. Identity links: keep, per anonymous id, the earliest event (occurred_at, event_id)
    --    that carried it with a user_id; every identifier row of that anonymous id follows.
    WITH candidates AS (
        SELECT DISTINCT ON (anonymous_id) anonymous_id, user_id, occurred_at, event_id
        FROM batch
        WHERE user_id IS NOT NULL AND anonymous_id IS NOT NULL
        ORDER BY anonymous_id, occurred_at, event_id
    ), changed AS (
        INSERT INTO warehouse.identity_links AS l (anonymous_id, user_id, linked_at, link_event_id)
        SELECT anonymous_id, user_id, occurred_at, event_id FROM candidates
        ON CONFLICT (anonymous_id) DO UPDATE
            SET user_id = excluded.user_id, linked_at = excluded.linked_at, link_event_id = excluded.link_event_id
            WHERE (excluded.linked_at, excluded.link_event_id) < (l.linked_at, l.link_event_id)
        RETURNING l.anonymous_id, l.user_id
    )
    UPDATE warehouse.dim_users u SET person_id = c.user_id
    FROM changed c
    WHERE u.id_kind = 'anonymous' AND u.distinct_id = c.anonymous_id AND u.person_id <> c.user_id;

    -- 4. Users: one row per identifier, with its person and its account (that of its most
    --    recently loaded event that had one).
    WITH per_identifier AS (
        SELECT b.id_kind, b.distinct_id,
               min(b.occurred_at) AS first_seen,
               max(b.occurred_at) AS last_seen,
               max(b.id) FILTER (WHERE b.account_id IS NOT NULL) AS account_row
        FROM batch b
        GROUP BY b.id_kind, b.distinct_id
    ), s AS (
        SELECT p.id_kind, p.distinct_id, p.first_seen, p.last_seen, a.account_key
        FROM per_identifier p
        LEFT JOIN batch r ON r.id = p.account_row
        LEFT JOIN warehouse.dim_accounts a ON a.account_id = r.account_id
    ), widened AS (
        UPDATE warehouse.dim_users u
        SET first_seen_at = least(u.first_seen_at, s.first_seen),
            last_seen_at  = greatest(u.last_seen_at, s.last_seen),
            account_key   = coalesce(s.account_key, u.account_key)
        FROM s
        WHERE u.id_kind = s.id_kind AND u.distinct_id = s.distinct_id
          AND (s.first_seen < u.first_seen_at OR s.last_seen > u.last_seen_at
               OR s.account_key <> u.account_key OR (s.account_key IS NOT NULL AND u.account_key IS NULL))
    )
    INSERT INTO warehouse.dim_users (id_kind, distinct_id, person_id, account_key, first_seen_at, last_seen_at)
    SELECT s.id_kind, s.distinct_id,
           CASE WHEN s.id_kind = 'user' THEN s.distinct_id ELSE coalesce(l.user_id, s.distinct_id) END,
           s.account_key, s.first_seen, s.last_seen
    FROM s
    LEFT JOIN warehouse.identity_links l ON s.id_kind = 'anonymous' AND l.anonymous_id = s.distinct_id
    WHERE NOT EXISTS (SELECT FROM warehouse.dim_users u
                      WHERE u.id_kind = s.id_kind AND u.distinct_id = s.distinct_id)
    ORDER BY s.id_kind, s.distinct_id;   -- in key order: each page of the unique index once

    -- 5. Facts, into monthly partitions made as needed.
    FOR month IN SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date FROM batch LOOP
        PERFORM warehouse.ensure_fact_partition(month);
    END LOOP;

    INSERT INTO warehouse.fact_events (event_id, occurred_at, event_type_key, account_key, user_key,
                                       geography_key, revenue, properties, raw_id)
    SELECT b.event_id, b.occurred_at, t.event_type_key, a.account_key, u.user_key,
           g.geography_key, warehouse.revenue_of(b.properties), b.properties, b.id
    -- Left joins although every dimension row exists (the NOT NULL columns would refuse a miss):
    -- they keep the batch the outer side whatever the estimates. Rows go in month by month and
    -- in key order, so each partition's primary-key index is walked once, not hit at random.
    FROM batch b
    LEFT JOIN warehouse.dim_event_types t ON t.event_type = b.event_type
    LEFT JOIN warehouse.dim_users u       ON u.id_kind = b.id_kind AND u.distinct_id = b.distinct_id
    LEFT JOIN warehouse.dim_geography g   ON (g.country_code, g.region, g.city) = (b.country, b.region, b.city)
    LEFT JOIN warehouse.dim_accounts a    ON a.account_id = b.account_id
    ORDER BY date_trunc('month', b.occurred_at AT TIME ZONE 'UTC'), b.event_id;

    UPDATE warehouse.pipeline_state SET loaded_through = to_id;
    DROP TABLE batch;
END
$fn$;

-- Refreshes one materialized view of the analytics schema CONCURRENTLY and records it in
-- analytics.view_refreshes. The name is looked up in the catalog, never spliced as given.
CREATE FUNCTION warehouse.refresh_view(view_name text) RETURNS timestamptz
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
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
    EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.%I', matview);
    refreshed := clock_timestamp();
    INSERT INTO analytics.view_refreshes (view_name, refreshed_at) VALUES ('analytics.' || matview, refreshed);
    RETURN refreshed;
END
$fn$;

-- The standard views the pipeline keeps fresh.
CREATE FUNCTION warehouse.refresh_standard_views() RETURNS void
    LANGUAGE sql
AS $fn$
    SELECT warehouse.refresh_view('mv_sessions');
    SELECT warehouse.refresh_view('mv_retention_cohorts');
    SELECT warehouse.refresh_view('mv_revenue_summary');
$fn$;

-- CALL warehouse.run_pipeline();                    load and refresh
-- CALL warehouse.run_pipeline(refresh => false);    load only
-- Run it outside an explicit transaction: each batch commits on its own.
CREATE PROCEDURE warehouse.run_pipeline(refresh boolean DEFAULT true, batch_size integer DEFAULT 1000000)
    LANGUAGE plpgsql
AS $proc$
DECLARE
    run bigint;
    watermark bigint;
    high_water bigint;
    batch_end bigint;
    loaded bigint;
    duplicates bigint;
    failure text;
BEGIN
    IF batch_size IS NULL OR batch_size < 1 THEN
        RAISE EXCEPTION 'batch_size must be a positive number of staging rows, got %', batch_size;
    END IF;

    -- One run at a time: a second run waits here for the first to finish (session lock, so it
    -- lasts across the commits below and ends with the session if the caller disappears).
    PERFORM pg_advisory_lock(hashtext('spectrum.warehouse.run_pipeline'));

    -- A run still marked running was cut off (its session ended): say so.
    UPDATE analytics.pipeline_runs
    SET status = 'failed', finished_at = clock_timestamp(),
        error = 'interrupted: the session running it ended before it finished'
    WHERE status = 'running';

    SELECT loaded_through INTO watermark FROM warehouse.pipeline_state;
    INSERT INTO analytics.pipeline_runs (started_at, raw_from, raw_to, status)
    VALUES (clock_timestamp(), watermark + 1, watermark, 'running')
    RETURNING run_id INTO run;
    COMMIT;

    BEGIN
        high_water := staging.committed_high_water();
        -- partitions ahead of need: this month and the next always exist
        PERFORM warehouse.ensure_fact_partition((now() AT TIME ZONE 'UTC')::date);
        PERFORM warehouse.ensure_fact_partition(((now() AT TIME ZONE 'UTC') + interval '1 month')::date);
    EXCEPTION WHEN OTHERS THEN
        failure := 'could not find which staging rows have committed: ' || SQLERRM;
    END;
    COMMIT;   -- releases the short SHARE lock on staging.raw_events

    WHILE failure IS NULL AND watermark < high_water LOOP
        batch_end := least(high_water, watermark + batch_size);
        BEGIN
            SELECT b.events_loaded, b.duplicates_skipped INTO loaded, duplicates
            FROM warehouse.load_batch(watermark, batch_end) b;
            UPDATE analytics.pipeline_runs
            SET raw_to = batch_end,
                events_loaded = events_loaded + loaded,
                duplicates_skipped = duplicates_skipped + duplicates
            WHERE run_id = run;
        EXCEPTION WHEN OTHERS THEN
            failure := format('batch of staging ids %s..%s failed: %s', watermark + 1, batch_end, SQLERRM);
        END;
        COMMIT;
        IF failure IS NULL THEN
            watermark := batch_end;
        END IF;
    END LOOP;

    IF failure IS NULL AND refresh THEN
        BEGIN
            PERFORM warehouse.refresh_standard_views();
        EXCEPTION WHEN OTHERS THEN
            failure := 'refreshing the analytics views failed: ' || SQLERRM;
        END;
        COMMIT;
    END IF;

    UPDATE analytics.pipeline_runs
    SET finished_at = clock_timestamp(),
        status = CASE WHEN failure IS NULL THEN 'succeeded' ELSE 'failed' END,
        error = failure
    WHERE run_id = run;
    COMMIT;
    PERFORM pg_advisory_unlock(hashtext('spectrum.warehouse.run_pipeline'));

    IF failure IS NOT NULL THEN
        RAISE EXCEPTION 'pipeline run % failed: %', run, failure;
    END IF;
END
$proc$;

REVOKE EXECUTE ON FUNCTION warehouse.load_batch(bigint, bigint), warehouse.ensure_fact_partition(date),
    warehouse.refresh_view(text), warehouse.refresh_standard_views() FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE warehouse.run_pipeline(boolean, integer) FROM PUBLIC;

RESET ROLE;
