-- Bulk loads (issue #17; docs/pipeline.md, "Bulk loads"). Since V14 every batch keeps the derived
-- tables (person-days and their counts, daily activity, sessions) by delta, in its own
-- transaction. Each batch's lookups reach into tables that grow with the history, so a first
-- import, a backfill or a long outage paid more and more per batch: 10M events in 1M batches
-- took 2,177 s (209 s before V14). Recomputing the derived tables once from all the facts costs
-- less: at 10M, 400 s of facts-only batches and one rebuild (735 s as V14/V15 wrote it, 589 s
-- in the order of derive_rebuild_all below).
--
-- So a run with a large backlog loads it in bulk mode: it marks the derived tables stale
-- (pipeline_state.derived_stale), its batches load facts only, and once the backlog is in, one
-- warehouse.derive_rebuild(NULL) recomputes every derived table from the facts and clears the
-- mark. Each batch stays all-or-nothing; the watermark is unchanged. While the mark is set the
-- derived tables are not read by anything: the views that read them are refreshed only after
-- the rebuild (run_pipeline refreshes after it; warehouse.refresh_view rebuilds first if it
-- finds the mark, under the pipeline's lock). A run cut off midway leaves the mark set, and
-- the next run (or a refresh of one of those views, or derive_rebuild(NULL) by hand) rebuilds.
--
-- Bulk mode when the backlog is at least 500,000 staging rows (spectrum.bulk_load_rows) and at
-- least a third of the facts already loaded: then one rebuild of all the facts costs about what
-- the deltas would (1M from empty: 8% of a plain INSERT's speed in bulk mode, 6% with deltas)
-- or much less (10M: 1,134 s against 2,177 s).
-- Smaller backlogs (every scheduled run of a live installation) keep the deltas, whose cost
-- follows the batch, not the history.
SET LOCAL ROLE spectrum_pipeline;

ALTER TABLE warehouse.pipeline_state ADD COLUMN derived_stale boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN warehouse.pipeline_state.derived_stale IS
    'True while a bulk load runs (V17): the derived tables (person_days, the cell counts, person_day_events, sessions) lag the facts until warehouse.derive_rebuild(NULL) clears it.';

CREATE FUNCTION warehouse.derived_are_stale() RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT s.derived_stale FROM warehouse.pipeline_state s
$fn$;

-- The dispatchers of V15, each doing nothing while the tables are stale (the rebuild that
-- clears the mark recomputes everything they would have changed); derive_rebuild(NULL) clears
-- the mark in the same transaction as its rebuild.
CREATE OR REPLACE FUNCTION warehouse.derive_batch() RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    IF warehouse.derived_are_stale() THEN
        RETURN;
    END IF;
    PERFORM warehouse.person_days_batch();
    PERFORM warehouse.daily_activity_batch();
    PERFORM warehouse.sessions_batch();
END
$fn$;

-- Every derived table from the facts: the NULL branches of V14's person_days_rebuild and
-- daily_activity_rebuild and V15's sessions_rebuild, same rows, in a cheaper order. Measured at
-- 10M events (2 cores), those took 109 s for person_days, 121 s for person_day_events and
-- 267 s for sessions:
--   * the planner, with no statistics on (person, day) groups, hashed ten million groups and
--     spilled; here grouping is by sort (enable_hashagg off for those statements), and the
--     rows arrive in their primary key's order;
--   * person_days is the (person, day) prefix of person_day_events, read in that key's order
--     instead of a second pass over the facts;
--   * the indexes on day and started_at are built once the tables are filled (a sort each)
--     instead of taking ten million insertions in random order.
-- derive_rebuild(NULL) calls this instead of those three, so their NULL branches are no longer
-- reached; their per-person branches stay as they were (small sets), and derive_rebuild still
-- calls them.
CREATE FUNCTION warehouse.derive_rebuild_all() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET work_mem = '512MB'
    SET maintenance_work_mem = '1GB'
    SET enable_hashagg = on
    SET jit = off
AS $fn$
BEGIN
    TRUNCATE warehouse.person_days, warehouse.person_day_events, warehouse.daily_activity_cells,
             warehouse.sessions, warehouse.session_days, warehouse.session_event_types;
    DROP INDEX warehouse.person_days_day, warehouse.person_day_events_day, warehouse.sessions_started_at;

    PERFORM set_config('enable_hashagg', 'off', true);
    INSERT INTO warehouse.person_day_events (person, day, event_type_key, events)
    SELECT u.person_id, (f.occurred_at AT TIME ZONE 'UTC')::date, f.event_type_key, count(*)
    FROM warehouse.fact_events f
    JOIN warehouse.dim_users u ON u.user_key = f.user_key
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3;
    INSERT INTO warehouse.person_days (person, day)
    SELECT t.person, t.day
    FROM warehouse.person_day_events t
    GROUP BY 1, 2
    ORDER BY 1, 2;
    INSERT INTO warehouse.sessions SELECT * FROM warehouse.sessions_from_facts;
    PERFORM set_config('enable_hashagg', 'on', true);

    CREATE INDEX person_days_day ON warehouse.person_days (day);
    CREATE INDEX person_day_events_day ON warehouse.person_day_events (day);
    CREATE INDEX sessions_started_at ON warehouse.sessions (started_at);
    ANALYZE warehouse.person_days;
    ANALYZE warehouse.person_day_events;
    ANALYZE warehouse.sessions;

    INSERT INTO warehouse.daily_activity_cells (day, event_type_key, events, persons)
    SELECT t.day, t.event_type_key, sum(t.events), count(*)
    FROM warehouse.person_day_events t
    GROUP BY 1, 2;
    PERFORM warehouse.person_cells_rebuild_all();
    PERFORM warehouse.session_days_recompute(NULL);
END
$fn$;

CREATE OR REPLACE FUNCTION warehouse.derive_rebuild(persons text[]) RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    -- never beside a batch (re-entrant: the pipeline's own session already holds it)
    PERFORM pg_advisory_xact_lock(hashtext('spectrum.warehouse.run_pipeline'));
    IF persons IS NULL THEN
        PERFORM warehouse.derive_rebuild_all();
        UPDATE warehouse.pipeline_state SET derived_stale = false WHERE derived_stale;
        RETURN;
    END IF;
    IF warehouse.derived_are_stale() THEN
        RETURN;
    END IF;
    PERFORM warehouse.person_days_rebuild(persons);
    PERFORM warehouse.daily_activity_rebuild(persons);
    PERFORM warehouse.sessions_rebuild(persons);
END
$fn$;

CREATE OR REPLACE FUNCTION warehouse.derive_forget(persons text[]) RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    IF warehouse.derived_are_stale() THEN
        RETURN;
    END IF;
    PERFORM warehouse.person_days_forget(persons);
    PERFORM warehouse.daily_activity_forget(persons);
    PERFORM warehouse.sessions_forget(persons);
END
$fn$;

CREATE OR REPLACE FUNCTION warehouse.derive_expire(before timestamptz) RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    IF warehouse.derived_are_stale() THEN
        RETURN;
    END IF;
    PERFORM warehouse.person_days_expire(before);
    PERFORM warehouse.daily_activity_expire(before);
    PERFORM warehouse.sessions_expire(before);
END
$fn$;

-- The lifecycle part of V14 in one pass: V14 listed each person's distinct periods per
-- granularity (a DISTINCT over three rows per person-day) and sorted them again for lag/lead;
-- here one window over the person's days in (person, day) order (the primary key's) gives each
-- day its previous and next day, and a day is the first of its period when the previous day
-- lies in another period (its previous period is that day's), the last when the next day does
-- (its next period is that day's). Same rows: the status of each active period, and 'dormant'
-- for the period after one whose next active period is not adjacent. 600k person-days: 3.2 s
-- instead of 8.7 s; it runs for every new person of every batch and in every full rebuild.
-- (The body reads a temp table that exists only while a batch runs: checked at first use.)
SET LOCAL check_function_bodies = off;
CREATE OR REPLACE FUNCTION warehouse.lifecycle_cells_apply(sign integer, through date) RETURNS void
    LANGUAGE sql
AS $fn$
    WITH days AS (
        SELECT d.day, lag(d.day) OVER w AS previous_day, lead(d.day) OVER w AS next_day
        FROM pg_temp.cell_persons p
        JOIN warehouse.person_days d ON d.person = p.person
        WHERE d.day <= through
        WINDOW w AS (PARTITION BY d.person ORDER BY d.day)
    ), periods AS (
        SELECT g.granularity,
               warehouse.period_of(g.granularity, x.day)          AS period_start,
               warehouse.period_of(g.granularity, x.previous_day) AS previous_start,
               warehouse.period_of(g.granularity, x.next_day)     AS next_start
        FROM days x
        CROSS JOIN (VALUES ('day'), ('week'), ('month')) AS g (granularity)
    ), statuses AS (
        SELECT granularity, period_start,
               warehouse.lifecycle_status(true, previous_start = (period_start - warehouse.period_step(granularity))::date,
                                          previous_start IS NULL) AS status
        FROM periods
        WHERE previous_start IS DISTINCT FROM period_start
        UNION ALL
        SELECT granularity, (period_start + warehouse.period_step(granularity))::date, 'dormant'
        FROM periods
        WHERE next_start IS DISTINCT FROM period_start
          AND next_start IS DISTINCT FROM (period_start + warehouse.period_step(granularity))::date
    )
    INSERT INTO warehouse.lifecycle_cells AS c (granularity, period_start, status, persons)
    SELECT granularity, period_start, status, sign * count(*)
    FROM statuses
    GROUP BY 1, 2, 3
    ON CONFLICT (granularity, period_start, status) DO UPDATE SET persons = c.persons + excluded.persons;
$fn$;
SET LOCAL check_function_bodies = on;

-- The rebuild that ends a bulk load, with a batch's memory (V11) so that its sorts stay in
-- memory. Takes the pipeline's lock (derive_rebuild) and looks again: a bulk run that finished
-- meanwhile has rebuilt already. Returns whether it rebuilt.
CREATE FUNCTION warehouse.derive_settle() RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET work_mem = '512MB'
    SET jit = off
AS $fn$
BEGIN
    IF NOT warehouse.derived_are_stale() THEN
        RETURN false;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('spectrum.warehouse.run_pipeline'));
    IF NOT warehouse.derived_are_stale() THEN
        RETURN false;
    END IF;
    PERFORM warehouse.derive_rebuild(NULL);
    RETURN true;
END
$fn$;

REVOKE EXECUTE ON FUNCTION warehouse.derived_are_stale(), warehouse.derive_settle(), warehouse.derive_rebuild_all(),
    warehouse.derive_batch(), warehouse.derive_rebuild(text[]), warehouse.derive_forget(text[]),
    warehouse.derive_expire(timestamptz) FROM PUBLIC;

-- Whether a backlog of this many staging rows loads in bulk mode, beside the facts loaded so
-- far (the planner's estimate of loaded_events: exact after the ANALYZE that autovacuum runs,
-- and only compared with a third of it). The threshold is the session setting
-- spectrum.bulk_load_rows when set (tests set it low; a very large value turns bulk mode off),
-- else 500,000 rows.
CREATE FUNCTION warehouse.bulk_load_wanted(backlog bigint) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $fn$
    SELECT backlog > 0
       AND backlog >= coalesce(nullif(current_setting('spectrum.bulk_load_rows', true), '')::bigint, 500000)
       AND backlog * 3 >= (SELECT greatest(c.reltuples, 0)::bigint FROM pg_class c
                           WHERE c.oid = 'warehouse.loaded_events'::regclass)
$fn$;
REVOKE EXECUTE ON FUNCTION warehouse.bulk_load_wanted(bigint) FROM PUBLIC;

-- Event retention at load time (data-model.md: "events older than it are not loaded, counted in
-- analytics.pipeline_runs.expired_skipped; the dedup registry keeps their ids"): V14's
-- load_batch with step 1b and a third count. A new OUT column changes the function's type, so
-- it is dropped and created again (run_pipeline below is its only caller).
ALTER TABLE analytics.pipeline_runs ADD COLUMN expired_skipped bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN analytics.pipeline_runs.expired_skipped IS
    'Staging rows of the run not loaded because their occurred_at is older than the event retention (V17); their ids stay in the dedup registry.';
DROP FUNCTION warehouse.load_batch(bigint, bigint);
CREATE FUNCTION warehouse.load_batch(from_id bigint, to_id bigint,
                                     OUT events_loaded bigint, OUT duplicates_skipped bigint, OUT expired_skipped bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET work_mem = '512MB'
    SET jit = off
AS $fn$
DECLARE
    staged bigint;
    month date;
    expire interval;
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

    BEGIN
        INSERT INTO warehouse.loaded_events (event_id, raw_id)
        SELECT event_id, id FROM batch ORDER BY event_id;
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
    -- 1b. Events older than the event retention (V17; data-model.md, Data lifecycle): their ids
    --     are registered above, so a replay stays a duplicate, and nothing else of them is
    --     loaded (no fact, dimension row or identity link).
    SELECT s.value INTO expire FROM warehouse.settings s WHERE s.name = 'event_retention';
    expired_skipped := 0;
    IF expire IS NOT NULL THEN
        DELETE FROM batch b WHERE b.occurred_at < now() - expire;
        GET DIAGNOSTICS expired_skipped = ROW_COUNT;
    END IF;
    events_loaded := staged - duplicates_skipped - expired_skipped;

    ANALYZE batch (id, event_type, account_id, id_kind, distinct_id, country, region, city);

    -- 2. Dimensions.
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
    SELECT d.country, d.region, d.city
    FROM (SELECT DISTINCT b.country, b.region, b.city FROM batch b) d
    WHERE NOT EXISTS (SELECT FROM warehouse.dim_geography g
                      WHERE (g.country_code, g.region, g.city) = (d.country, d.region, d.city));

    -- 3. Identity links, as in V11; every identifier row whose person changes is recorded with
    --    its person before and after (o is the row as it was before this UPDATE).
    CREATE TEMP TABLE moved_identifiers (user_key bigint, old_person text COLLATE "C", new_person text COLLATE "C")
        ON COMMIT DROP;
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
    ), relinked AS (
        UPDATE warehouse.dim_users u SET person_id = c.user_id
        FROM changed c, warehouse.dim_users o
        WHERE u.id_kind = 'anonymous' AND u.distinct_id = c.anonymous_id AND u.person_id <> c.user_id
          AND o.user_key = u.user_key
        RETURNING u.user_key, o.person_id AS old_person, u.person_id AS new_person
    )
    INSERT INTO moved_identifiers SELECT * FROM relinked;

    -- 4. Users, as in V11.
    WITH per_identifier AS (
        SELECT b.id_kind, b.distinct_id,
               min(b.occurred_at) AS first_seen,
               max(b.occurred_at) AS last_seen,
               substr(max((lpad(b.id::text, 19, '0') || b.account_id) COLLATE "C")
                          FILTER (WHERE b.account_id IS NOT NULL), 20) AS account_id
        FROM batch b
        GROUP BY b.id_kind, b.distinct_id
    ), s AS (
        SELECT p.id_kind, p.distinct_id, p.first_seen, p.last_seen, a.account_key
        FROM per_identifier p
        LEFT JOIN warehouse.dim_accounts a ON a.account_id = p.account_id
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
    ORDER BY s.id_kind, s.distinct_id;

    -- 5. Facts, as in V11.
    FOR month IN SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date FROM batch LOOP
        PERFORM warehouse.ensure_fact_partition(month);
    END LOOP;

    INSERT INTO warehouse.fact_events (event_id, occurred_at, event_type_key, account_key, user_key,
                                       geography_key, revenue, properties, raw_id)
    SELECT b.event_id, b.occurred_at, t.event_type_key, a.account_key, u.user_key,
           g.geography_key, warehouse.revenue_of(b.properties), b.properties, b.id
    FROM batch b
    LEFT JOIN warehouse.dim_event_types t ON t.event_type = b.event_type
    LEFT JOIN warehouse.dim_users u       ON u.id_kind = b.id_kind AND u.distinct_id = b.distinct_id
    LEFT JOIN warehouse.dim_geography g   ON (g.country_code, g.region, g.city) = (b.country, b.region, b.city)
    LEFT JOIN warehouse.dim_accounts a    ON a.account_id = b.account_id
    ORDER BY date_trunc('month', b.occurred_at AT TIME ZONE 'UTC'), b.event_id;

    -- 6. The derived tables. Whose person changed, in two kinds:
    --    moved_persons    the old person has no identifier left (an anonymous visitor who
    --                     identified) and all of it went to one new person: its derived rows
    --                     move to the new person and merge with theirs;
    --    rebuilt_persons  anything else (an anonymous id re-linked from one user to an earlier
    --                     one: the old user keeps the rest of their events): both persons'
    --                     derived rows are recomputed from the facts.
    CREATE TEMP TABLE moved_persons ON COMMIT DROP AS
    SELECT m.old_person, min(m.new_person) AS new_person
    FROM moved_identifiers m
    GROUP BY m.old_person
    HAVING count(DISTINCT m.new_person) = 1
       AND NOT EXISTS (SELECT FROM warehouse.dim_users u WHERE u.person_id = m.old_person);
    CREATE TEMP TABLE rebuilt_persons (person text COLLATE "C" PRIMARY KEY) ON COMMIT DROP;
    INSERT INTO rebuilt_persons
    SELECT p FROM moved_identifiers m
    CROSS JOIN LATERAL (VALUES (m.old_person), (m.new_person)) AS v (p)
    WHERE NOT EXISTS (SELECT FROM moved_persons mp WHERE mp.old_person = m.old_person)
    ON CONFLICT DO NOTHING;
    -- this batch's events with their person as known now (the rebuilt persons' events are in
    -- the facts already and come from there)
    CREATE TEMP TABLE batch_events ON COMMIT DROP AS
    SELECT u.person_id AS person, b.event_id, b.occurred_at, b.event_type, b.account_id
    FROM batch b
    LEFT JOIN warehouse.dim_users u ON u.id_kind = b.id_kind AND u.distinct_id = b.distinct_id
    WHERE NOT EXISTS (SELECT FROM rebuilt_persons r WHERE r.person = u.person_id);
    PERFORM warehouse.derive_batch();

    UPDATE warehouse.pipeline_state SET loaded_through = to_id;
    DROP TABLE batch, moved_identifiers, moved_persons, rebuilt_persons, batch_events;
END
$fn$;

REVOKE EXECUTE ON FUNCTION warehouse.load_batch(bigint, bigint) FROM PUBLIC;

-- run_pipeline as in V13, with bulk mode and the expired count: the mark set before the first batch when the backlog
-- wants it, and the rebuild after the last batch and data retention, before the refresh. The
-- rebuild also runs when an earlier run left the mark set. If a batch fails, the batches
-- before it stay loaded and the rebuild still runs (the run is reported failed either way).
CREATE OR REPLACE PROCEDURE warehouse.run_pipeline(refresh boolean DEFAULT true, batch_size integer DEFAULT 1000000)
    LANGUAGE plpgsql
AS $proc$
DECLARE
    run bigint;
    watermark bigint;
    high_water bigint;
    batch_end bigint;
    loaded bigint;
    duplicates bigint;
    expired bigint;
    failure text;
    problem text;
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
        -- bulk mode (above)
        IF warehouse.bulk_load_wanted(high_water - watermark) THEN
            UPDATE warehouse.pipeline_state SET derived_stale = true WHERE NOT derived_stale;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        failure := 'could not find which staging rows have committed: ' || SQLERRM;
    END;
    COMMIT;   -- releases the short SHARE lock on staging.raw_events

    WHILE failure IS NULL AND watermark < high_water LOOP
        batch_end := least(high_water, watermark + batch_size);
        BEGIN
            SELECT b.events_loaded, b.duplicates_skipped, b.expired_skipped INTO loaded, duplicates, expired
            FROM warehouse.load_batch(watermark, batch_end) b;
            UPDATE analytics.pipeline_runs
            SET raw_to = batch_end,
                events_loaded = events_loaded + loaded,
                duplicates_skipped = duplicates_skipped + duplicates,
                expired_skipped = expired_skipped + expired
            WHERE run_id = run;
        EXCEPTION WHEN OTHERS THEN
            failure := format('batch of staging ids %s..%s failed: %s', watermark + 1, batch_end, SQLERRM);
        END;
        COMMIT;
        IF failure IS NULL THEN
            watermark := batch_end;
        END IF;
    END LOOP;

    -- Data retention (V13): only what the watermark says is loaded ever leaves staging.
    CALL warehouse.apply_data_retention(run, failure);

    -- The end of a bulk load (this run's or a cut-off one's): every derived table from the facts.
    BEGIN
        PERFORM warehouse.derive_settle();
    EXCEPTION WHEN OTHERS THEN
        problem := 'rebuilding the derived tables after a bulk load failed: ' || SQLERRM;
        failure := coalesce(failure || '; ', '') || problem;
    END;
    COMMIT;

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

-- refresh_view as in V15 (with V16's jit = off): a view that reads the derived tables is never
-- refreshed from stale ones; if the mark is set (a bulk run cut off, or one running now), the
-- derived tables are rebuilt first, under the pipeline's lock (so after a running bulk run).
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
    END IF;
    refreshed := clock_timestamp();
    INSERT INTO analytics.view_refreshes (view_name, refreshed_at) VALUES ('analytics.' || matview, refreshed);
    RETURN refreshed;
END
$fn$;

RESET ROLE;
