-- Sessions kept incrementally (issue #17). V10's analytics.mv_sessions sorted every event of
-- warehouse.event_stream at each refresh (43-54 s at 1M events, > 500 s at 10M). Now the pipeline
-- keeps one row per session in warehouse.sessions, in the same transaction as each batch
-- (warehouse.derive_batch, V14), from that batch's events alone: no fact is read again.
-- analytics.mv_sessions stays a materialized view with its unique index, now a copy of that
-- table; the per-day summaries mv_session_days and mv_session_event_types (V12) are kept too
-- (warehouse.session_days, warehouse.session_event_types) and the views copy them.
--
-- The semantics are unchanged (docs/pipeline.md, "The views"): per person, events in order
-- (occurred_at, event_id); a session starts at the person's first event and at every event more
-- than 30 minutes after their previous one (exactly 30 minutes stays in the session).
-- session_id = md5(person || '/' || first event_id); account_id is that of the session's first
-- event that has one ('' when none). warehouse.sessions holds, at every commit, exactly the rows
-- V10's definition gives over all facts.
SET LOCAL ROLE spectrum_pipeline;

-- An event's place in a person's order with one value of it: compared as (at, event_id), which
-- is unique within a person, so the value never decides. min/max over an array of one mark pick
-- the first/last value in event order in one pass of C comparisons (array_smaller/array_larger),
-- with no per-group sort.
CREATE TYPE warehouse.session_mark AS (at timestamptz, event_id uuid, value text);

-- One row per session. Besides the columns of analytics.mv_sessions, what merging needs: the
-- first and last event ((started_at, first_event_id), (ended_at, last_event_id)) and the place of
-- the event the account comes from (account_at, account_event_id; null when no event of the
-- session has an account). (person, ended_at) is unique (two sessions of a person are more than
-- 30 minutes apart) and is what a batch looks sessions up by.
CREATE TABLE warehouse.sessions (
    person            text COLLATE "C" NOT NULL,
    ended_at          timestamptz      NOT NULL,
    started_at        timestamptz      NOT NULL,
    account_at        timestamptz,
    last_event_id     uuid             NOT NULL,
    first_event_id    uuid             NOT NULL,
    account_event_id  uuid,
    event_count       bigint           NOT NULL,
    session_id        text COLLATE "C" NOT NULL,
    account_id        text COLLATE "C" NOT NULL,
    first_event_type  text COLLATE "C" NOT NULL,
    last_event_type   text COLLATE "C" NOT NULL,
    PRIMARY KEY (person, ended_at)
);
CREATE INDEX sessions_started_at ON warehouse.sessions (started_at);
COMMENT ON TABLE warehouse.sessions IS
    'One row per session (docs/pipeline.md), kept by the pipeline batch by batch (warehouse.sessions_batch); '
    'analytics.mv_sessions is its copy. account_id is '''' when no event of the session has an account.';

-- Sessions computed from the facts, V10's definition with the columns above: one sort of the
-- events by (person, occurred_at, event_id); over that order the windows mark each event's
-- session start and end, and the GROUP BY picks the first and last values by those marks. A
-- filter on person is pushed below the windows (person is their partition), so
-- "WHERE person = ANY (...)" reads only those persons' facts.
CREATE VIEW warehouse.sessions_from_facts AS
WITH ordered AS (
    SELECT e.person, e.event_id, e.occurred_at, e.event_type, e.account_id,
           CASE WHEN e.occurred_at - lag(e.occurred_at) OVER w <= interval '30 minutes'
                THEN 0 ELSE 1 END                                                        AS starts_session,
           NOT coalesce(lead(e.occurred_at) OVER w - e.occurred_at <= interval '30 minutes', false) AS ends_session
    FROM warehouse.event_stream e
    WINDOW w AS (PARTITION BY e.person ORDER BY e.occurred_at, e.event_id)
), numbered AS (
    SELECT o.*,
           sum(o.starts_session) OVER (PARTITION BY o.person ORDER BY o.occurred_at, o.event_id
                                       ROWS UNBOUNDED PRECEDING) AS session_number
    FROM ordered o
), grouped AS (
    SELECT n.person,
           max(n.occurred_at)                                                   AS ended_at,
           min(n.occurred_at)                                                   AS started_at,
           (array_agg(n.event_id) FILTER (WHERE n.ends_session))[1]             AS last_event_id,
           (array_agg(n.event_id) FILTER (WHERE n.starts_session = 1))[1]       AS first_event_id,
           (min(ARRAY[ROW(n.occurred_at, n.event_id, n.account_id)::warehouse.session_mark])
                FILTER (WHERE n.account_id IS NOT NULL))[1]                     AS account,
           count(*)                                                             AS event_count,
           (array_agg(n.event_type) FILTER (WHERE n.starts_session = 1))[1]     AS first_event_type,
           (array_agg(n.event_type) FILTER (WHERE n.ends_session))[1]           AS last_event_type
    FROM numbered n
    GROUP BY n.person, n.session_number
)
SELECT g.person, g.ended_at, g.started_at, (g.account).at AS account_at,
       g.last_event_id, g.first_event_id, (g.account).event_id AS account_event_id, g.event_count,
       md5(g.person || '/' || g.first_event_id::text) COLLATE "C" AS session_id,
       coalesce((g.account).value, '') COLLATE "C"                AS account_id,
       g.first_event_type, g.last_event_type
FROM grouped g;

-- Per UTC day of session start, the two summaries the sessions dashboard reads (V12's
-- mv_session_days and mv_session_event_types, same columns and rows), kept with the sessions:
-- whatever changes sessions recomputes the days whose sessions it deleted or inserted, from
-- those days' sessions (a range of the started_at index each), so that the views copy ~180 rows
-- instead of aggregating every session at each refresh. The median and p90 need every duration
-- of the day, hence a recompute of the day rather than a delta.
CREATE TABLE warehouse.session_days (
    day              date PRIMARY KEY,
    sessions         bigint NOT NULL,
    persons          bigint NOT NULL,
    events           bigint NOT NULL,
    total_seconds    double precision NOT NULL,
    median_seconds   double precision NOT NULL,
    p90_seconds      double precision NOT NULL,
    single_moment    bigint NOT NULL,
    under_1m         bigint NOT NULL,
    from_1m_to_5m    bigint NOT NULL,
    from_5m_to_15m   bigint NOT NULL,
    from_15m_to_30m  bigint NOT NULL,
    from_30m_to_1h   bigint NOT NULL,
    over_1h          bigint NOT NULL
);
COMMENT ON TABLE warehouse.session_days IS
    'analytics.mv_session_days kept by the pipeline: one row per UTC day of session start (warehouse.session_days_recompute).';

CREATE TABLE warehouse.session_event_types (
    day         date NOT NULL,
    event_type  text COLLATE "C" NOT NULL,
    entries     bigint NOT NULL,
    exits       bigint NOT NULL,
    PRIMARY KEY (day, event_type)
);
COMMENT ON TABLE warehouse.session_event_types IS
    'analytics.mv_session_event_types kept by the pipeline: per UTC day of session start and event type, sessions that began and ended with it.';

-- Recomputes these days (NULL: every day) from warehouse.sessions.
CREATE FUNCTION warehouse.session_days_recompute(days date[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF days IS NULL THEN
        DELETE FROM warehouse.session_days;
        DELETE FROM warehouse.session_event_types;
        INSERT INTO warehouse.session_days
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
        FROM (SELECT x.person, x.started_at, x.event_count,
                     extract(epoch FROM x.ended_at - x.started_at)::double precision AS duration_seconds
              FROM warehouse.sessions x) s
        GROUP BY 1;
        INSERT INTO warehouse.session_event_types
        SELECT day, event_type, sum(entries)::bigint AS entries, sum(exits)::bigint AS exits
        FROM (SELECT (x.started_at AT TIME ZONE 'UTC')::date AS day, x.first_event_type AS event_type, 1 AS entries, 0 AS exits
              FROM warehouse.sessions x
              UNION ALL
              SELECT (x.started_at AT TIME ZONE 'UTC')::date, x.last_event_type, 0, 1
              FROM warehouse.sessions x) t
        GROUP BY day, event_type;
    ELSIF cardinality(days) > 0 THEN
        days := ARRAY(SELECT DISTINCT d FROM unnest(days) AS d WHERE d IS NOT NULL);
        DELETE FROM warehouse.session_days t WHERE t.day = ANY (days);
        DELETE FROM warehouse.session_event_types t WHERE t.day = ANY (days);
        INSERT INTO warehouse.session_days
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
        FROM (SELECT x.person, x.started_at, x.event_count,
                     extract(epoch FROM x.ended_at - x.started_at)::double precision AS duration_seconds
              FROM unnest(days) AS d (day)
              JOIN warehouse.sessions x ON x.started_at >= d.day::timestamp AT TIME ZONE 'UTC'
                                       AND x.started_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC') s
        GROUP BY 1;
        INSERT INTO warehouse.session_event_types
        SELECT day, event_type, sum(entries)::bigint AS entries, sum(exits)::bigint AS exits
        FROM (SELECT (x.started_at AT TIME ZONE 'UTC')::date AS day, x.first_event_type AS event_type, 1 AS entries, 0 AS exits
              FROM unnest(days) AS d (day)
              JOIN warehouse.sessions x ON x.started_at >= d.day::timestamp AT TIME ZONE 'UTC'
                                       AND x.started_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC'
              UNION ALL
              SELECT (x.started_at AT TIME ZONE 'UTC')::date, x.last_event_type, 0, 1
              FROM unnest(days) AS d (day)
              JOIN warehouse.sessions x ON x.started_at >= d.day::timestamp AT TIME ZONE 'UTC'
                                       AND x.started_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC') t
        GROUP BY day, event_type;
    END IF;
END
$fn$;

-- Recomputes the sessions of these persons from the facts (NULL: of everybody), and the days
-- they touch.
CREATE FUNCTION warehouse.sessions_rebuild(persons text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    gone_days date[];
    made_days date[];
BEGIN
    IF persons IS NULL THEN
        DELETE FROM warehouse.sessions;
        INSERT INTO warehouse.sessions SELECT * FROM warehouse.sessions_from_facts;
        PERFORM warehouse.session_days_recompute(NULL);
    ELSIF cardinality(persons) > 0 THEN
        WITH gone AS (DELETE FROM warehouse.sessions s WHERE s.person = ANY (persons) RETURNING s.started_at)
        SELECT array_agg(DISTINCT (g.started_at AT TIME ZONE 'UTC')::date) INTO gone_days FROM gone g;
        WITH made AS (
            INSERT INTO warehouse.sessions SELECT * FROM warehouse.sessions_from_facts f WHERE f.person = ANY (persons)
            RETURNING started_at
        )
        SELECT array_agg(DISTINCT (m.started_at AT TIME ZONE 'UTC')::date) INTO made_days FROM made m;
        PERFORM warehouse.session_days_recompute(coalesce(gone_days, '{}') || coalesce(made_days, '{}'));
    END IF;
END
$fn$;

-- One batch (called by warehouse.derive_batch inside the batch's transaction, with V14's temp
-- tables batch_events, moved_persons and rebuilt_persons; see docs/pipeline.md).
--
-- Sessions are mergeable intervals. Call a segment any set of a person's events that is one
-- session of some subset of their events: its events follow each other by at most 30 minutes,
-- and adding events only shortens gaps, so a segment lies inside one session of all the events
-- (and every event whose time lies in a session's span [started_at, ended_at] belongs to that
-- session: the other sessions end more than 30 minutes before it or start more than 30 minutes
-- after it). A stored session is a segment (a session of the facts before the batch), so is a
-- session of a moved person, and so is a session of the batch's events alone.
--
-- Merging: sort a person's segments by (start, first event_id) and walk them keeping the
-- greatest end seen so far (m). A segment begins a new session exactly when its start is more
-- than 30 minutes after m:
--   * if start - m > 30 min: every event of the earlier segments is at or before m, every
--     event of this and later segments at or after start, so there are no events in between:
--     a gap of more than 30 minutes, a session boundary;
--   * if start <= m: start lies in the span of the segment that ends at m, which lies in one
--     session, so this segment's first event is in that session and so is the segment;
--   * if 0 < start - m <= 30 min: the events at m and at start are at most 30 minutes apart,
--     so no gap between them exceeds 30 minutes: the same session.
-- So the groups are the sessions of the union of the segments, provided that union is
-- separated by more than 30 minutes from the person's other events. (Ties of start: a gap of
-- zero, the same session whatever their order.)
--
-- Which stored sessions to merge: let t be the earliest start among the person's new segments
-- (the batch's sessions and the moved ones). A stored session that ended before t - 30 min
-- has no new event in its span, before it, or within 30 minutes after it (all are at or after
-- t), and the gap after it, more than 30 minutes among stored sessions, stays so. So it is a
-- session of all the facts, unchanged. The candidates are the person's stored sessions with
-- ended_at >= t - 30 min; they and the new segments are more than 30 minutes from the other
-- stored sessions (those end before t - 30 min, and stored sessions are more than 30 minutes
-- apart), so the walk above over them gives the person's sessions from there on: delete the
-- candidates, insert the groups. The first and last event and the account of a group are the
-- least/greatest (at, event_id) over its segments' own; counts add up. A person with no
-- candidate and no moved session (most persons of a batch: their previous event was more than
-- 30 minutes before) keeps the batch's sessions as they are.
--
-- Cost: one sort of the batch's events (the windows), a grouping of the events that are not
-- a session on their own, one index range of (person, ended_at) per person of the batch, and
-- the insert of the new sessions; the walk sorts only the segments of the persons that merge.
-- Moves cost the moved sessions; rebuilt persons (rare) are recomputed from their facts.
CREATE FUNCTION warehouse.sessions_batch() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    moved_days date[];
    batch_days date[];
BEGIN
    -- 1. Moves: the sessions of each old person become segments of the new person (kept aside
    --    until the batch's events join them; a new person who is rebuilt below gets them from
    --    the facts instead).
    CREATE TEMP TABLE session_segments ON COMMIT DROP AS
    WITH moved AS (
        DELETE FROM warehouse.sessions s
        USING moved_persons m
        WHERE s.person = m.old_person
        RETURNING m.new_person COLLATE "C" AS person, s.ended_at, s.started_at, s.account_at,
                  s.last_event_id, s.first_event_id, s.account_event_id, s.event_count,
                  s.account_id, s.first_event_type, s.last_event_type
    )
    SELECT * FROM moved;
    SELECT array_agg(DISTINCT (g.started_at AT TIME ZONE 'UTC')::date) INTO moved_days FROM session_segments g;
    DELETE FROM session_segments g USING rebuilt_persons r WHERE g.person = r.person;

    -- 2. Rebuilds.
    PERFORM warehouse.sessions_rebuild(ARRAY(SELECT r.person FROM rebuilt_persons r));

    -- 3. The batch's events, first as sessions of their own (V10's windows over the batch
    --    alone: one sort; a one-event session, most of them, needs no grouping), then merged
    --    with the moved sessions and the candidates (see above) for the persons that have any;
    --    the other persons' batch sessions are final as they are.
    WITH ordered AS (
        SELECT b.person COLLATE "C" AS person, b.event_id, b.occurred_at, b.event_type COLLATE "C" AS event_type,
               b.account_id COLLATE "C" AS account_id,
               CASE WHEN b.occurred_at - lag(b.occurred_at) OVER w <= interval '30 minutes'
                    THEN 0 ELSE 1 END                                                        AS starts_session,
               NOT coalesce(lead(b.occurred_at) OVER w - b.occurred_at <= interval '30 minutes', false) AS ends_session,
               row_number() OVER w                                                           AS n
        FROM batch_events b
        WHERE NOT EXISTS (SELECT FROM rebuilt_persons r WHERE r.person = b.person)
        WINDOW w AS (PARTITION BY b.person ORDER BY b.occurred_at, b.event_id)
    ), numbered AS MATERIALIZED (
        SELECT o.*,
               sum(o.starts_session) OVER (PARTITION BY o.person ORDER BY o.occurred_at, o.event_id
                                           ROWS UNBOUNDED PRECEDING) AS session_number
        FROM ordered o
    ), batch_sessions AS MATERIALIZED (
        SELECT n.person, n.occurred_at AS ended_at, n.occurred_at AS started_at,
               CASE WHEN n.account_id IS NOT NULL THEN n.occurred_at END AS account_at,
               n.event_id AS last_event_id, n.event_id AS first_event_id,
               CASE WHEN n.account_id IS NOT NULL THEN n.event_id END AS account_event_id,
               1::bigint AS event_count, coalesce(n.account_id, '') AS account_id,
               n.event_type AS first_event_type, n.event_type AS last_event_type
        FROM numbered n
        WHERE n.starts_session = 1 AND n.ends_session
        UNION ALL
        -- the account: that of the least place in the batch's order among the events with one,
        -- as a zero-padded place, the event_id (36 characters) and the account id
        SELECT a.person, a.ended_at, a.started_at, a.account_at, a.last_event_id, a.first_event_id,
               substr(a.account, 21, 36)::uuid, a.event_count, coalesce(substr(a.account, 57), ''),
               a.first_event_type, a.last_event_type
        FROM (SELECT n.person,
                     max(n.occurred_at)                                                   AS ended_at,
                     min(n.occurred_at)                                                   AS started_at,
                     min(n.occurred_at) FILTER (WHERE n.account_id IS NOT NULL)           AS account_at,
                     max(n.event_id::text) FILTER (WHERE n.ends_session)::uuid            AS last_event_id,
                     max(n.event_id::text) FILTER (WHERE n.starts_session = 1)::uuid      AS first_event_id,
                     min(lpad(n.n::text, 20, '0') || n.event_id::text || n.account_id)
                         FILTER (WHERE n.account_id IS NOT NULL)                          AS account,
                     count(*)                                                             AS event_count,
                     max(n.event_type) FILTER (WHERE n.starts_session = 1)                AS first_event_type,
                     max(n.event_type) FILTER (WHERE n.ends_session)                      AS last_event_type
              FROM numbered n
              WHERE NOT (n.starts_session = 1 AND n.ends_session)
              GROUP BY n.person, n.session_number) a
    ), touched AS (
        SELECT person, min(started_at) - interval '30 minutes' AS since
        FROM (SELECT person, started_at FROM session_segments
              UNION ALL
              SELECT person, started_at FROM batch_sessions) n
        GROUP BY person
    ), candidates AS MATERIALIZED (
        DELETE FROM warehouse.sessions s
        USING touched t
        WHERE s.person = t.person AND s.ended_at >= t.since
        RETURNING s.person, s.ended_at, s.started_at, s.account_at, s.last_event_id, s.first_event_id,
                  s.account_event_id, s.event_count, s.account_id, s.first_event_type, s.last_event_type
    ), merging AS (        -- the persons whose batch sessions meet stored or moved ones
        SELECT person FROM candidates
        UNION
        SELECT person FROM session_segments
    ), walked AS (
        SELECT a.*,
               CASE WHEN a.started_at - max(a.ended_at) OVER (PARTITION BY a.person ORDER BY a.started_at, a.first_event_id
                                                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                         <= interval '30 minutes'
                    THEN 0 ELSE 1 END AS starts_session
        FROM (SELECT g.person, g.ended_at, g.started_at, g.account_at, g.last_event_id, g.first_event_id,
                     g.account_event_id, g.event_count, g.account_id, g.first_event_type, g.last_event_type
              FROM session_segments g
              UNION ALL
              SELECT * FROM batch_sessions b WHERE b.person IN (SELECT person FROM merging)
              UNION ALL
              SELECT * FROM candidates) a
    ), numbered_segments AS (
        SELECT w.*,
               sum(w.starts_session) OVER (PARTITION BY w.person ORDER BY w.started_at, w.first_event_id
                                           ROWS UNBOUNDED PRECEDING) AS session_number
        FROM walked w
    ), merged AS (
        SELECT n.person,
               (max(ARRAY[ROW(n.ended_at, n.last_event_id, n.last_event_type)::warehouse.session_mark]))[1] AS last,
               (array_agg(ROW(n.started_at, n.first_event_id, n.first_event_type)::warehouse.session_mark)
                    FILTER (WHERE n.starts_session = 1))[1]                                                AS first,
               (min(ARRAY[ROW(n.account_at, n.account_event_id, n.account_id)::warehouse.session_mark])
                    FILTER (WHERE n.account_at IS NOT NULL))[1]                                            AS account,
               sum(n.event_count)::bigint AS event_count
        FROM numbered_segments n
        GROUP BY n.person, n.session_number
    ), inserted AS (
        INSERT INTO warehouse.sessions (person, ended_at, started_at, account_at, last_event_id, first_event_id,
                                        account_event_id, event_count, session_id, account_id,
                                        first_event_type, last_event_type)
        SELECT b.person, b.ended_at, b.started_at, b.account_at, b.last_event_id, b.first_event_id,
               b.account_event_id, b.event_count, md5(b.person || '/' || b.first_event_id::text),
               b.account_id, b.first_event_type, b.last_event_type
        FROM batch_sessions b
        WHERE b.person NOT IN (SELECT person FROM merging)
        UNION ALL
        SELECT m.person, (m.last).at, (m.first).at, (m.account).at, (m.last).event_id, (m.first).event_id,
               (m.account).event_id, m.event_count,
               md5(m.person || '/' || (m.first).event_id::text),
               coalesce((m.account).value, ''), (m.first).value, (m.last).value
        FROM merged m
        RETURNING started_at
    )
    -- the days whose sessions changed: those of the sessions deleted and inserted
    SELECT array_agg(DISTINCT (x.started_at AT TIME ZONE 'UTC')::date) INTO batch_days
    FROM (SELECT started_at FROM inserted UNION ALL SELECT started_at FROM candidates) x;

    PERFORM warehouse.session_days_recompute(coalesce(moved_days, '{}') || coalesce(batch_days, '{}'));
    DROP TABLE session_segments;
END
$fn$;

-- forget_person, after the facts are gone: the persons' sessions go too.
CREATE FUNCTION warehouse.sessions_forget(persons text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    days date[];
BEGIN
    WITH gone AS (DELETE FROM warehouse.sessions s WHERE s.person = ANY (persons) RETURNING s.started_at)
    SELECT array_agg(DISTINCT (g.started_at AT TIME ZONE 'UTC')::date) INTO days FROM gone g;
    PERFORM warehouse.session_days_recompute(coalesce(days, '{}'));
END
$fn$;

-- Event retention dropped every fact with occurred_at < before. A session that ended before it
-- lost all its events: it goes. One that started before it and ended at or after it lost its
-- first events only (what is left still follows itself by at most 30 minutes, and its gaps to
-- the person's other sessions are unchanged): its persons are recomputed from the facts.
CREATE FUNCTION warehouse.sessions_expire(before timestamptz) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    straddling text[];
    days date[];
BEGIN
    straddling := ARRAY(SELECT DISTINCT s.person FROM warehouse.sessions s
                        WHERE s.started_at < before AND s.ended_at >= before);
    WITH gone AS (DELETE FROM warehouse.sessions s WHERE s.started_at < before AND s.ended_at < before RETURNING s.started_at)
    SELECT array_agg(DISTINCT (g.started_at AT TIME ZONE 'UTC')::date) INTO days FROM gone g;
    PERFORM warehouse.session_days_recompute(coalesce(days, '{}'));
    PERFORM warehouse.sessions_rebuild(straddling);
END
$fn$;

-- The dispatchers of V14 (as there: person-days and daily activity, derive_rebuild under the
-- pipeline's lock), now with the sessions part last.
CREATE OR REPLACE FUNCTION warehouse.derive_batch() RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM warehouse.person_days_batch();
    PERFORM warehouse.daily_activity_batch();
    PERFORM warehouse.sessions_batch();
END
$fn$;

CREATE OR REPLACE FUNCTION warehouse.derive_rebuild(persons text[]) RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    -- never beside a batch (re-entrant: the pipeline's own session already holds it)
    PERFORM pg_advisory_xact_lock(hashtext('spectrum.warehouse.run_pipeline'));
    PERFORM warehouse.person_days_rebuild(persons);
    PERFORM warehouse.daily_activity_rebuild(persons);
    PERFORM warehouse.sessions_rebuild(persons);
END
$fn$;

CREATE OR REPLACE FUNCTION warehouse.derive_forget(persons text[]) RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM warehouse.person_days_forget(persons);
    PERFORM warehouse.daily_activity_forget(persons);
    PERFORM warehouse.sessions_forget(persons);
END
$fn$;

CREATE OR REPLACE FUNCTION warehouse.derive_expire(before timestamptz) RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM warehouse.person_days_expire(before);
    PERFORM warehouse.daily_activity_expire(before);
    PERFORM warehouse.sessions_expire(before);
END
$fn$;

REVOKE EXECUTE ON FUNCTION warehouse.session_days_recompute(date[]), warehouse.sessions_rebuild(text[]), warehouse.sessions_batch(),
    warehouse.sessions_forget(text[]), warehouse.sessions_expire(timestamptz) FROM PUBLIC;

-- Backfill: the sessions of the facts already loaded (once; the pipeline keeps them from now on),
-- with the memory of a batch (V11) so that its sorts stay in memory (SET LOCAL: this
-- migration's transaction only).
SET LOCAL work_mem = '512MB';
SET LOCAL jit = off;
SELECT warehouse.sessions_rebuild(NULL);
ANALYZE warehouse.sessions;

-- The views, now copies of the tables above. mv_sessions keeps its columns, its unique index
-- and its index on started_at (refreshed plainly: see refresh_view below).
DROP MATERIALIZED VIEW analytics.mv_session_event_types;
DROP MATERIALIZED VIEW analytics.mv_session_days;
DROP MATERIALIZED VIEW analytics.mv_sessions;

CREATE MATERIALIZED VIEW analytics.mv_sessions AS
SELECT s.session_id, s.person, s.account_id, s.started_at, s.ended_at,
       extract(epoch FROM s.ended_at - s.started_at)::double precision AS duration_seconds,
       s.event_count, s.first_event_type, s.last_event_type
FROM warehouse.sessions s;

CREATE UNIQUE INDEX mv_sessions_session_id ON analytics.mv_sessions (session_id);
CREATE INDEX mv_sessions_started_at ON analytics.mv_sessions (started_at);
COMMENT ON MATERIALIZED VIEW analytics.mv_sessions IS
    'One row per session (docs/pipeline.md): a person''s events in order, a new session after a gap of more than 30 minutes. A copy of warehouse.sessions.';

-- Sessions per UTC day of their start: what the sessions dashboard shows, so that no panel
-- reads one row per session (V12's definition, kept in warehouse.session_days).
CREATE MATERIALIZED VIEW analytics.mv_session_days AS
SELECT day, sessions, persons, events, total_seconds, median_seconds, p90_seconds, single_moment,
       under_1m, from_1m_to_5m, from_5m_to_15m, from_15m_to_30m, from_30m_to_1h, over_1h
FROM warehouse.session_days;

CREATE UNIQUE INDEX mv_session_days_key ON analytics.mv_session_days (day);
COMMENT ON MATERIALIZED VIEW analytics.mv_session_days IS
    'One row per UTC day of session start: sessions, distinct persons with a session, events in them, median and p90 duration, sessions per duration bucket.';

-- Entry and exit event types of sessions, per UTC day of the session's start (V12's
-- definition, kept in warehouse.session_event_types).
CREATE MATERIALIZED VIEW analytics.mv_session_event_types AS
SELECT day, event_type, entries, exits
FROM warehouse.session_event_types;

CREATE UNIQUE INDEX mv_session_event_types_key ON analytics.mv_session_event_types (day, event_type);
COMMENT ON MATERIALIZED VIEW analytics.mv_session_event_types IS
    'Per UTC day of session start and event type: sessions that began (entries) and ended (exits) with that event type.';

-- Readable by spectrum_reader (the default privileges of V1 grant it; granted again as V10 does).
GRANT SELECT ON analytics.mv_sessions, analytics.mv_session_days, analytics.mv_session_event_types TO spectrum_reader;

-- warehouse.refresh_standard_views() (V12) refreshes mv_sessions before mv_session_days and
-- mv_session_event_types; the two no longer read it (all three copy tables kept in the same
-- transactions), so any order is valid, and it stays as it is.

-- mv_sessions is refreshed plainly, not CONCURRENTLY. It holds about one row per event (10M
-- at 10M events), and a concurrent refresh first checks the new rows for duplicates by sorting
-- all of them by their whole-row image, then compares them with the old rows: 30 s at 1M, n log n
-- beyond, more than the whole 5-minute schedule at 10M. A plain refresh writes the copy and its
-- two indexes: 3 s at 1M. Readers of mv_sessions wait for it meanwhile. No dashboard panel reads
-- it (they read the per-day copies, refreshed CONCURRENTLY), and warehouse.sessions itself is
-- always current. Every other view is refreshed CONCURRENTLY as before (V14's refresh_view,
-- with this one case added).
CREATE OR REPLACE FUNCTION warehouse.refresh_view(view_name text) RETURNS timestamptz
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
