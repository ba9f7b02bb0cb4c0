-- staging: what arrived. Written only by the ingest service, never updated.

CREATE TABLE staging.raw_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id      uuid        NOT NULL,
    event_type    text        NOT NULL,
    account_id    text,
    user_id       text,
    anonymous_id  text,
    occurred_at   timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    properties    jsonb       NOT NULL DEFAULT '{}',
    context       jsonb       NOT NULL DEFAULT '{}',
    source        text        NOT NULL,
    -- '' counts as absent for the ids
    CONSTRAINT raw_events_has_identity CHECK (nullif(user_id, '') IS NOT NULL OR nullif(anonymous_id, '') IS NOT NULL),
    CONSTRAINT raw_events_properties_object CHECK (jsonb_typeof(properties) = 'object'),
    CONSTRAINT raw_events_context_object CHECK (jsonb_typeof(context) = 'object')
);

COMMENT ON TABLE staging.raw_events IS
    'One row per accepted event, as it arrived. id is arrival order and the pipeline''s watermark.';

REVOKE ALL ON staging.raw_events FROM PUBLIC;
GRANT INSERT ON staging.raw_events TO spectrum_ingest;
GRANT SELECT ON staging.raw_events TO spectrum_pipeline;

-- The highest staging id below which every row that will ever commit is visible now.
--
-- Identity values are drawn at insert, not at commit, so a transaction that is still open can
-- hold a lower id than rows that are already visible. Every INSERT or COPY takes ROW EXCLUSIVE
-- on the table before it draws an id and keeps it to its end; SHARE mode conflicts with it, so
-- once we hold SHARE no inserting transaction is open, and the max(id) read after that (a new
-- snapshot: this function is volatile) has every lower id either committed or gone for good.
-- The lock is held until the caller's transaction ends: the pipeline commits right after.
-- New inserts wait only for that moment; lock_timeout keeps a forgotten open transaction from
-- stalling them for long.
CREATE FUNCTION staging.committed_high_water() RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog
AS $fn$
DECLARE
    hi bigint;
BEGIN
    SET LOCAL lock_timeout = '2s';
    LOCK TABLE staging.raw_events IN SHARE MODE;
    SELECT coalesce(max(id), 0) INTO hi FROM staging.raw_events;
    RETURN hi;
END
$fn$;

REVOKE EXECUTE ON FUNCTION staging.committed_high_water() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staging.committed_high_water() TO spectrum_pipeline;
