-- Data lifecycle (docs/privacy.md, docs/pipeline.md): the retention settings, forgetting
-- a person (GDPR erasure), staging retention and optional event retention. docs/privacy.md says
-- what forgetting removes and keeps; docs/pipeline.md how retention runs.

-- 1. Staging deletes. staging.raw_events belongs to the login that runs the migrations and
--    spectrum_pipeline may only read it, so the two ways rows leave it are functions of that
--    owner (SECURITY DEFINER), each doing exactly one kind of delete.

-- Removes loaded staging rows (id <= through_id) received before received_before, in one chunk
-- of at most max_ids consecutive ids starting at from_id (null: at the lowest id there is): a
-- range of the primary key, never a scan of the table. Ids are drawn in arrival order, so the
-- old rows are the low ids and the caller stops at the first chunk that removes nothing.
-- Deletes take ROW EXCLUSIVE, which never conflicts with ingest's inserts. next_from is where
-- the next chunk starts (null: the chunk reached through_id).
CREATE FUNCTION staging.remove_loaded(from_id bigint, through_id bigint, received_before timestamptz,
                                      max_ids integer, OUT removed bigint, OUT next_from bigint)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog
AS $fn$
DECLARE
    lo bigint;
    hi bigint;
BEGIN
    removed := 0;
    SELECT r.id INTO lo
    FROM staging.raw_events r
    WHERE r.id >= coalesce(from_id, 0) AND r.id <= through_id
    ORDER BY r.id LIMIT 1;
    IF lo IS NULL THEN
        RETURN;
    END IF;
    hi := least(through_id, lo + max_ids - 1);
    DELETE FROM staging.raw_events r
    WHERE r.id >= lo AND r.id <= hi AND r.received_at < received_before;
    GET DIAGNOSTICS removed = ROW_COUNT;
    IF hi < through_id THEN
        next_from := hi + 1;
    END IF;
END
$fn$;

-- Removes the staging rows of one person (warehouse.forget_person): the rows whose user_id is
-- user_id, and the rows without a user_id whose anonymous_id is one of anonymous_ids. A row that
-- carries another user's id is never touched. Returns the rows removed.
CREATE FUNCTION staging.remove_person(user_id text, anonymous_ids text[])
    RETURNS TABLE (raw_id bigint, event_id uuid)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog
AS $fn$
    DELETE FROM staging.raw_events r
    WHERE nullif(r.user_id, '') = remove_person.user_id
       OR (nullif(r.user_id, '') IS NULL AND r.anonymous_id = ANY (remove_person.anonymous_ids))
    RETURNING r.id, r.event_id
$fn$;

REVOKE EXECUTE ON FUNCTION staging.remove_loaded(bigint, bigint, timestamptz, integer),
    staging.remove_person(text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staging.remove_loaded(bigint, bigint, timestamptz, integer),
    staging.remove_person(text, text[]) TO spectrum_pipeline;

-- Retention deletes about 1/2000 of the table every 5-minute run: let autovacuum come by after
-- 5% instead of 20%, so the space of removed rows is reused and the table stays near its
-- retention's size.
ALTER TABLE staging.raw_events SET (autovacuum_vacuum_scale_factor = 0.05);

SET LOCAL ROLE spectrum_pipeline;

-- 2. Settings: one row per name. ./spectrum migrate writes them from SPECTRUM_STAGING_RETENTION
--    and SPECTRUM_EVENT_RETENTION, the operator from spec.dataRetention, both through
--    warehouse.set_setting(); the pipeline reads them after each run.
CREATE TABLE warehouse.settings (
    name        text        PRIMARY KEY CHECK (name IN ('staging_retention', 'event_retention')),
    value       interval,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text        NOT NULL DEFAULT 'default',
    CONSTRAINT settings_staging_retention_range CHECK (
        name <> 'staging_retention' OR (value IS NOT NULL AND value BETWEEN interval '1 hour' AND interval '3650 days')),
    CONSTRAINT settings_event_retention_range CHECK (
        name <> 'event_retention' OR value IS NULL OR value >= interval '31 days')
);
COMMENT ON TABLE warehouse.settings IS
    'Data lifecycle settings (data-model.md): staging_retention (loaded staging rows older than this go; default 7 days), '
    'event_retention (null = off; facts older than this go by whole monthly partitions). Set them with warehouse.set_setting().';
COMMENT ON COLUMN warehouse.settings.updated_by IS 'Who wrote the value: default, migrate, serve, operator, sql.';
INSERT INTO warehouse.settings (name, value) VALUES ('staging_retention', interval '7 days'), ('event_retention', NULL);
GRANT SELECT ON warehouse.settings TO spectrum_reader;

-- Spectrum's durations: <n>m, <n>h or <n>d (the same as a funnel's window); 'off' (or '')
-- for no value. Anything else is refused with what to write.
CREATE FUNCTION warehouse.parse_retention(setting text, value text) RETURNS interval
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog
AS $fn$
DECLARE
    m text[];
BEGIN
    IF value IS NULL OR btrim(value) IN ('', 'off', 'null', 'none') THEN
        RETURN NULL;
    END IF;
    m := regexp_match(btrim(value), '^([0-9]{1,7})([mhd])$');
    IF m IS NULL THEN
        RAISE EXCEPTION '% must be a duration such as 7d, 36h or 90m (a whole number and m, h or d), got "%"', setting, value
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN make_interval(days  => CASE WHEN m[2] = 'd' THEN m[1]::int ELSE 0 END,
                         hours => CASE WHEN m[2] = 'h' THEN m[1]::int ELSE 0 END,
                         mins  => CASE WHEN m[2] = 'm' THEN m[1]::int ELSE 0 END);
END
$fn$;

-- SELECT warehouse.set_setting('staging_retention', '7d', 'operator');
-- SELECT warehouse.set_setting('event_retention', 'off');
-- Returns the value stored; a value out of range is refused and nothing changes.
CREATE FUNCTION warehouse.set_setting(name text, value text, updated_by text DEFAULT 'sql') RETURNS interval
    LANGUAGE plpgsql
    SET search_path = pg_catalog
AS $fn$
DECLARE
    parsed interval := warehouse.parse_retention(name, value);
BEGIN
    IF name IS NULL OR name NOT IN ('staging_retention', 'event_retention') THEN
        RAISE EXCEPTION 'unknown setting "%": the settings are staging_retention and event_retention', name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF name = 'staging_retention' AND (parsed IS NULL OR parsed < interval '1 hour' OR parsed > interval '3650 days') THEN
        RAISE EXCEPTION 'staging_retention must be between 1h and 3650d, got "%"', value
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF name = 'event_retention' AND parsed < interval '31 days' THEN
        RAISE EXCEPTION 'event_retention must be off or at least 31d (whole months are dropped), got "%"', value
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE warehouse.settings s
    SET value = parsed, updated_at = now(), updated_by = coalesce(set_setting.updated_by, 'sql')
    WHERE s.name = set_setting.name;
    RETURN parsed;
END
$fn$;

-- 3. The record of forgotten persons: no id, only its SHA-256, so the record identifies no one
--    to a reader who does not already know the id.
CREATE TABLE warehouse.forgotten_persons (
    id_sha256             text        NOT NULL,
    forgotten_at          timestamptz NOT NULL DEFAULT now(),
    events_removed        bigint      NOT NULL,
    staging_rows_removed  bigint      NOT NULL,
    views_refreshed       boolean     NOT NULL
);
CREATE INDEX forgotten_persons_id ON warehouse.forgotten_persons (id_sha256);
COMMENT ON TABLE warehouse.forgotten_persons IS
    'One row per warehouse.forget_person() that removed something: sha256 (hex) of the id, when, how many events and staging rows went.';

ALTER TABLE analytics.pipeline_runs
    ADD COLUMN staging_removed bigint NOT NULL DEFAULT 0,
    ADD COLUMN partitions_dropped integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN analytics.pipeline_runs.staging_removed IS 'Loaded staging rows removed by staging retention after the load.';
COMMENT ON COLUMN analytics.pipeline_runs.partitions_dropped IS 'Monthly fact partitions dropped by event retention.';

-- 4. Forgetting a person.
--
-- CALL warehouse.forget_person('user-42');                     forget and refresh every view
-- CALL warehouse.forget_person('user-42', refresh => false);   forget; views stale until the next refresh
--
-- One transaction (call it inside BEGIN ... COMMIT or alone). Waits for a pipeline run in
-- progress (the same lock as run_pipeline), so the two never interleave. outcome is
-- 'forgotten', 'already_forgotten' (nothing of the id is left, and a forget of it is recorded)
-- or 'not_a_person' (nothing removed); message says it in a sentence.
CREATE PROCEDURE warehouse.forget_person(person text, refresh boolean DEFAULT true,
                                         INOUT outcome text DEFAULT NULL,
                                         INOUT events_removed bigint DEFAULT NULL,
                                         INOUT staging_rows_removed bigint DEFAULT NULL,
                                         INOUT message text DEFAULT NULL)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $proc$
DECLARE
    watermark bigint;
    is_user boolean;
    is_anonymous boolean;
    anonymous_ids text[];
    user_keys bigint[];
    digest text;
    previous timestamptz;
    definition_view text;
BEGIN
    IF person IS NULL OR person = '' THEN
        RAISE EXCEPTION 'forget_person needs the id of a person (a user id, or the anonymous id of a visitor who never identified)'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT pg_try_advisory_xact_lock(hashtext('spectrum.warehouse.run_pipeline')) THEN
        RAISE NOTICE 'a pipeline run is in progress: waiting for it to finish';
        PERFORM pg_advisory_xact_lock(hashtext('spectrum.warehouse.run_pipeline'));
    END IF;

    digest := encode(sha256(convert_to(person, 'UTF8')), 'hex');
    events_removed := 0;
    staging_rows_removed := 0;
    SELECT loaded_through INTO watermark FROM warehouse.pipeline_state;

    -- Who is it? A user id seen in the warehouse or in staging not yet loaded (the rows above
    -- the watermark: an index range, not a scan of staging). Or an anonymous id that is its own
    -- person: never linked to a user, neither in the warehouse nor in rows not yet loaded.
    is_user := EXISTS (SELECT FROM warehouse.dim_users u WHERE u.id_kind = 'user' AND u.distinct_id = person)
            OR EXISTS (SELECT FROM staging.raw_events r WHERE r.id > watermark AND nullif(r.user_id, '') = person);
    is_anonymous := NOT is_user
        AND NOT EXISTS (SELECT FROM warehouse.identity_links l WHERE l.anonymous_id = person)
        AND NOT EXISTS (SELECT FROM staging.raw_events r
                        WHERE r.id > watermark AND r.anonymous_id = person AND nullif(r.user_id, '') IS NOT NULL)
        AND (EXISTS (SELECT FROM warehouse.dim_users u WHERE u.id_kind = 'anonymous' AND u.distinct_id = person)
             OR EXISTS (SELECT FROM staging.raw_events r
                        WHERE r.id > watermark AND r.anonymous_id = person AND nullif(r.user_id, '') IS NULL));

    IF NOT is_user AND NOT is_anonymous THEN
        SELECT max(f.forgotten_at) INTO previous FROM warehouse.forgotten_persons f WHERE f.id_sha256 = digest;
        IF previous IS NOT NULL THEN
            outcome := 'already_forgotten';
            message := format('this id was forgotten at %s; nothing of it is left to remove',
                              to_char(previous AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'));
        ELSIF EXISTS (SELECT FROM warehouse.identity_links l WHERE l.anonymous_id = person) THEN
            outcome := 'not_a_person';
            message := 'this is an anonymous id linked to a user, not a person: forget the user''s id instead; nothing removed';
        ELSE
            outcome := 'not_a_person';
            message := 'no person has this id (neither a user id nor an unlinked anonymous id seen in staging or the warehouse); nothing removed';
        END IF;
        RAISE NOTICE '%', message;
        RETURN;
    END IF;

    -- The person's anonymous ids: linked to them in the warehouse, or in rows not yet loaded
    -- that carry both ids (unless the warehouse links that anonymous id to someone else).
    IF is_user THEN
        anonymous_ids := ARRAY(
            SELECT l.anonymous_id FROM warehouse.identity_links l WHERE l.user_id = person
            UNION
            SELECT r.anonymous_id FROM staging.raw_events r
            WHERE r.id > watermark AND nullif(r.user_id, '') = person AND nullif(r.anonymous_id, '') IS NOT NULL
              AND NOT EXISTS (SELECT FROM warehouse.identity_links l WHERE l.anonymous_id = r.anonymous_id));
    ELSE
        anonymous_ids := ARRAY[person];
    END IF;

    -- Facts: every event whose identifier row is one of the person's.
    user_keys := ARRAY(
        SELECT u.user_key FROM warehouse.dim_users u
        WHERE (is_user AND u.id_kind = 'user' AND u.distinct_id = person)
           OR (u.id_kind = 'anonymous' AND u.distinct_id = ANY (anonymous_ids)));
    DELETE FROM warehouse.fact_events f WHERE f.user_key = ANY (user_keys);
    GET DIAGNOSTICS events_removed = ROW_COUNT;
    DELETE FROM warehouse.dim_users u WHERE u.user_key = ANY (user_keys);
    DELETE FROM warehouse.identity_links l WHERE l.anonymous_id = ANY (anonymous_ids) AND (NOT is_user OR l.user_id = person);

    -- Staging: loaded rows and rows not yet loaded alike. The event ids of rows not yet loaded
    -- join the dedup registry, so a replay of them is a duplicate too.
    WITH removed AS (
        SELECT s.raw_id, s.event_id FROM staging.remove_person(CASE WHEN is_user THEN person END, anonymous_ids) s
    ), registered AS (
        INSERT INTO warehouse.loaded_events (event_id, raw_id)
        SELECT DISTINCT ON (r.event_id) r.event_id, r.raw_id FROM removed r
        WHERE r.raw_id > watermark
        ORDER BY r.event_id, r.raw_id
        ON CONFLICT (event_id) DO NOTHING
    )
    SELECT count(*) INTO staging_rows_removed FROM removed;

    IF refresh THEN
        PERFORM warehouse.refresh_standard_views();
        FOR definition_view IN SELECT d.view_name FROM warehouse.definitions d ORDER BY d.view_name LOOP
            PERFORM warehouse.refresh_view(definition_view);
        END LOOP;
    END IF;

    INSERT INTO warehouse.forgotten_persons (id_sha256, events_removed, staging_rows_removed, views_refreshed)
    VALUES (digest, events_removed, staging_rows_removed, refresh);
    outcome := 'forgotten';
    message := format('forgot the person: %s events removed from the warehouse, %s rows from staging; %s',
                      events_removed, staging_rows_removed,
                      CASE WHEN refresh THEN 'the analytics views are refreshed without them'
                           ELSE 'the analytics views still show them until the next refresh (./spectrum pipeline or ./spectrum refresh)' END);
    RAISE NOTICE '%', message;
END
$proc$;

-- 5. Retention after each pipeline run (called by run_pipeline, below). Staging first, in
--    chunks that each commit (ingest is never blocked: deletes take ROW EXCLUSIVE), then whole
--    monthly fact partitions past event_retention. An error ends the step and is added to the
--    run's failure; what was removed before it stays removed. Counted back
--    from as_of (default now(); bench/lifecycle.sh moves it to simulate days passing).
-- (No SET clause: a procedure with one cannot commit.)
CREATE PROCEDURE warehouse.apply_data_retention(run bigint, INOUT failure text DEFAULT NULL,
                                                as_of timestamptz DEFAULT NULL)
    LANGUAGE plpgsql
AS $proc$
DECLARE
    keep interval;
    expire interval;
    through bigint;
    next_id bigint;
    chunk_removed bigint;
    dropped integer := 0;
    part record;
    problem text;
BEGIN
    SELECT s.value INTO keep FROM warehouse.settings s WHERE s.name = 'staging_retention';
    SELECT s.value INTO expire FROM warehouse.settings s WHERE s.name = 'event_retention';
    SELECT loaded_through INTO through FROM warehouse.pipeline_state;
    keep := coalesce(keep, interval '7 days');

    LOOP
        BEGIN
            SELECT c.removed, c.next_from INTO chunk_removed, next_id
            FROM staging.remove_loaded(next_id, through, coalesce(as_of, now()) - keep, 100000) c;
            UPDATE analytics.pipeline_runs SET staging_removed = staging_removed + chunk_removed WHERE run_id = run;
        EXCEPTION WHEN OTHERS THEN
            problem := 'staging retention failed: ' || SQLERRM;
        END;
        COMMIT;
        EXIT WHEN problem IS NOT NULL OR chunk_removed = 0 OR next_id IS NULL;
    END LOOP;

    IF problem IS NULL AND expire IS NOT NULL THEN
        BEGIN
            SET LOCAL lock_timeout = '5s';
            FOR part IN
                SELECT c.relname,
                       make_date(substr(c.relname, 14, 4)::int, substr(c.relname, 19, 2)::int, 1) AS month
                FROM pg_inherits i
                JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'warehouse.fact_events'::regclass
                  AND c.relname ~ '^fact_events_y[0-9]{4}m[0-9]{2}$'
                ORDER BY 2
            LOOP
                -- the whole month is older than the retention
                EXIT WHEN (part.month + interval '1 month') AT TIME ZONE 'UTC' > coalesce(as_of, now()) - expire;
                EXECUTE format('DROP TABLE warehouse.%I', part.relname);
                dropped := dropped + 1;
            END LOOP;
            UPDATE analytics.pipeline_runs SET partitions_dropped = dropped WHERE run_id = run;
        EXCEPTION WHEN OTHERS THEN
            problem := 'event retention failed: ' || SQLERRM;
        END;
        COMMIT;
    END IF;

    IF problem IS NOT NULL THEN
        failure := coalesce(failure || '; ', '') || problem;
    END IF;
END
$proc$;

REVOKE EXECUTE ON FUNCTION warehouse.set_setting(text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE warehouse.forget_person(text, boolean, text, bigint, bigint, text),
    warehouse.apply_data_retention(bigint, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE warehouse.forget_person(text, boolean, text, bigint, bigint, text) TO spectrum_pipeline;

-- 6. run_pipeline as in V5, with one step added: data retention after the load, before the
--    refresh (so views never show partitions about to go).
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

    -- Data retention (V13): only what the watermark says is loaded ever leaves staging.
    CALL warehouse.apply_data_retention(run, failure);

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

RESET ROLE;
