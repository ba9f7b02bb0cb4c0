-- Data lifecycle, second step (after V13 was merged): staging retention walks the primary key in
-- ranges until a range removes nothing, instead of stopping when the lowest loaded row is not
-- old enough (a row received late with a low id, or backdated rows, could hold back every older
-- row behind it); autovacuum comes by staging sooner; apply_data_retention takes as_of, the time
-- the retention counts back from (bench/lifecycle.sh moves it to simulate days passing).

-- Removes loaded staging rows (id <= through_id) received before received_before, in one chunk
-- of at most max_ids consecutive ids starting at from_id (null: at the lowest id there is): a
-- range of the primary key, never a scan of the table. Ids are drawn in arrival order, so the
-- old rows are the low ids and the caller stops at the first chunk that removes nothing.
-- Deletes take ROW EXCLUSIVE, which never conflicts with ingest's inserts. next_from is where
-- the next chunk starts (null: the chunk reached through_id).
CREATE OR REPLACE FUNCTION staging.remove_loaded(from_id bigint, through_id bigint, received_before timestamptz,
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

-- Retention deletes about 1/2000 of the table every 5-minute run: let autovacuum come by after
-- 5% instead of 20%, so the space of removed rows is reused and the table stays near its
-- retention's size.
ALTER TABLE staging.raw_events SET (autovacuum_vacuum_scale_factor = 0.05);

SET LOCAL ROLE spectrum_pipeline;

-- Retention after each pipeline run, as in V13, counted back from as_of (default now()).
-- run_pipeline's CALL warehouse.apply_data_retention(run, failure) finds this one.
DROP PROCEDURE warehouse.apply_data_retention(bigint, text);
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

REVOKE EXECUTE ON PROCEDURE warehouse.apply_data_retention(bigint, text, timestamptz) FROM PUBLIC;

RESET ROLE;
