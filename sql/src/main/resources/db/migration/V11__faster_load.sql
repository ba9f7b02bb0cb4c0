-- A faster batch load (bars.md: the pipeline load at >= 40% of a plain INSERT ... SELECT).
-- Same steps, same guarantees as V5's warehouse.load_batch (all or nothing per batch, first
-- copy of an event_id wins, identities stitched retroactively); three costs cut, each measured
-- by bench/pipeline.sh (docs/benchmarks.md):
--   * each identifier's account comes from the same aggregate pass that finds its first and
--     last event, instead of a hash join of the aggregates back onto the whole batch;
--   * the geography dimension anti-joins its few distinct places, not every event;
--   * work_mem large enough that the facts' sort stays in memory.
SET LOCAL ROLE spectrum_pipeline;

-- Loads the staging rows with from_id < id <= to_id: one batch, all or nothing (the caller
-- runs it in its own transaction). Returns how many events it loaded and how many staging rows
-- it skipped as duplicates of an event_id loaded before (or earlier in the same batch).
CREATE OR REPLACE FUNCTION warehouse.load_batch(from_id bigint, to_id bigint,
                                     OUT events_loaded bigint, OUT duplicates_skipped bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    -- The batch's sorts and hashes stay in memory (the facts' sort of a 1M-row batch with its
    -- properties needs about 400 MB; 128 MB spilled it to disk); no JIT (compiling costs more
    -- than it saves on a batch).
    SET work_mem = '512MB'
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

    -- Distinct places first, then the ones not known yet (the anti-join on the few distinct
    -- rows, not on every event).
    INSERT INTO warehouse.dim_geography (country_code, region, city)
    SELECT d.country, d.region, d.city
    FROM (SELECT DISTINCT b.country, b.region, b.city FROM batch b) d
    WHERE NOT EXISTS (SELECT FROM warehouse.dim_geography g
                      WHERE (g.country_code, g.region, g.city) = (d.country, d.region, d.city));

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
               -- the account of the identifier's latest row that has one, in the same pass: the
               -- largest staging id (zero-padded to bigint's 19 digits, so text order is number
               -- order) followed by its account id; what follows the 19 digits is that account
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

REVOKE EXECUTE ON FUNCTION warehouse.load_batch(bigint, bigint) FROM PUBLIC;

RESET ROLE;
