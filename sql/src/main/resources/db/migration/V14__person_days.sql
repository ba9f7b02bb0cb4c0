-- Derived state kept by the pipeline (issue #17; docs/pipeline.md, "Derived tables"). The views
-- that count persons per period (retention, lifecycle, active persons) and daily activity
-- read small tables of counts. Each batch keeps those counts up to date in its own
-- transaction, from one row per person and active UTC day (person_days) and per person, day
-- and event type (person_day_events). They no longer re-derive those rows from every event at
-- every refresh: at 10M events that was a join of 10M facts to their dimensions, a DISTINCT
-- sort, and minutes of window functions.
--
-- What changes a person's rows, and where it is handled:
--   * a batch's new events                   warehouse.load_batch -> warehouse.derive_batch()
--   * an anonymous visitor identifying       the same (moved_persons: their rows join the user's)
--   * an anonymous id re-linked to an        the same (rebuilt_persons: both persons' rows are
--     earlier user                           recomputed from the facts)
--   * forgetting a person                    warehouse.forget_person -> warehouse.derive_forget()
--   * event retention dropping a month       warehouse.apply_data_retention -> warehouse.derive_expire()
-- Each of these calls a dispatcher (derive_*). The dispatcher calls the part of every derived
-- table, so a later derived table (V15: sessions) plugs in by redefining the dispatchers only.
SET LOCAL ROLE spectrum_pipeline;

CREATE TABLE warehouse.person_days (
    person  text COLLATE "C" NOT NULL,
    day     date NOT NULL,
    PRIMARY KEY (person, day)
);
CREATE INDEX person_days_day ON warehouse.person_days (day);
COMMENT ON TABLE warehouse.person_days IS
    'One row per person (as known now, identity links applied) and UTC day with at least one event; kept by the pipeline (warehouse.derive_batch), equal to SELECT DISTINCT person, (occurred_at AT TIME ZONE ''UTC'')::date FROM warehouse.event_stream.';

-- The identifiers of a person (rebuilds, forgetting): without it every lookup by person scans
-- every identifier.
CREATE INDEX dim_users_person ON warehouse.dim_users (person_id);

-- 1. Person-days and the per-period counts kept from them.
--
-- Three tables of counts, one per view, each the sum over persons of what that person adds to
-- each cell of the view (a person adds 0 or 1 to a cell):
--   retention_cells   (granularity, cohort_start, period_number): persons of the cohort active
--                     in that period (mv_retention_cohorts; every day the person has, as V10)
--   lifecycle_cells   (granularity, period_start, status): persons new / returning /
--                     resurrecting in the period, or dormant in it (mv_lifecycle)
--   activity_cells    (day): persons active that day (dau), and the starts of the 7- and 30-day
--                     spans of V12's wau/mau sums (mv_active_persons)
-- The last two count only the days up to person_cells_state.through (events dated after today
-- wait for their day, as the views say); warehouse.person_cells_catch_up() adds the days that
-- have come since, and runs before each batch and before those two views refresh.
--
-- A batch changes them in two ways:
--   * by delta, for the batch's new person-days: a new day changes the status of its period
--     and of the next one only (lifecycle), the span starts of itself and of the person's next
--     day only (activity), and one day / week cell of the person's cohort (retention); the rows
--     looked up are the person's neighbouring days, by the primary key;
--   * in full, for the persons whose earlier rows change (an identified visitor, a re-link, a
--     forgotten person; for retention also a person whose first day moves earlier): what they
--     added is subtracted before their days change and added back after.
-- An expired month changes every cohort, so event retention recomputes the counts from all
-- person-days (once a month, about as long as one full refresh of the three views used to be).

CREATE TABLE warehouse.person_cells_state (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    through    date NOT NULL
);

CREATE TABLE warehouse.retention_cells (
    granularity    text COLLATE "C" NOT NULL,
    cohort_start   date NOT NULL,
    period_number  integer NOT NULL,
    persons        bigint NOT NULL,
    PRIMARY KEY (granularity, cohort_start, period_number)
);
CREATE TABLE warehouse.lifecycle_cells (
    granularity   text COLLATE "C" NOT NULL,
    period_start  date NOT NULL,
    status        text COLLATE "C" NOT NULL,
    persons       bigint NOT NULL,
    PRIMARY KEY (granularity, period_start, status)
);
CREATE TABLE warehouse.activity_cells (
    day           date PRIMARY KEY,
    dau           bigint NOT NULL,
    week_starts   bigint NOT NULL,
    month_starts  bigint NOT NULL
);
COMMENT ON TABLE warehouse.retention_cells IS 'Per cohort and period: persons of the cohort active in the period (all persons'' days); kept by the pipeline from warehouse.person_days.';
COMMENT ON TABLE warehouse.lifecycle_cells IS 'Per period and lifecycle status: persons (days up to person_cells_state.through); kept by the pipeline from warehouse.person_days.';
COMMENT ON TABLE warehouse.activity_cells IS 'Per day: active persons, and the starts of the wau/mau spans of V12 (days up to person_cells_state.through); kept by the pipeline from warehouse.person_days.';

-- The period of a day, and the length of a period (weeks start on Monday).
CREATE FUNCTION warehouse.period_of(granularity text, day date) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT CASE granularity WHEN 'day' THEN day
                            WHEN 'week' THEN date_trunc('week', day::timestamp)::date
                            ELSE date_trunc('month', day::timestamp)::date END
$fn$;
CREATE FUNCTION warehouse.period_step(granularity text) RETURNS interval
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT CASE granularity WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days' ELSE interval '1 month' END
$fn$;

-- A person's status in a period from whether they are active in it, in the previous one, and
-- whether it is their first active period (null: nothing to count there).
CREATE FUNCTION warehouse.lifecycle_status(active boolean, previous_active boolean, first boolean) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT CASE WHEN active THEN CASE WHEN first THEN 'new' WHEN previous_active THEN 'returning' ELSE 'resurrecting' END
                WHEN previous_active THEN 'dormant' END
$fn$;

-- (The bodies below read temp tables that exist only while a batch runs: checked at first use.)
SET LOCAL check_function_bodies = off;

-- What the persons of pg_temp.cell_persons add to each cell, times sign (+1 adds, -1 takes away),
-- from their rows in person_days now. Each is its view's per-person part (V10, V12).
CREATE FUNCTION warehouse.retention_cells_apply(sign integer) RETURNS void
    LANGUAGE sql
AS $fn$
    INSERT INTO warehouse.retention_cells AS c (granularity, cohort_start, period_number, persons)
    SELECT a.granularity, a.cohort_start, a.period_number, sign * count(*)
    FROM (SELECT d.day,
                 first_value(d.day) OVER w AS first_day,
                 lag(d.day) OVER w         AS previous_day
          FROM pg_temp.cell_persons p
          JOIN warehouse.person_days d ON d.person = p.person
          WINDOW w AS (PARTITION BY d.person ORDER BY d.day)) x
    CROSS JOIN LATERAL (VALUES
        ('day', x.first_day, x.day - x.first_day, true),
        ('week', warehouse.period_of('week', x.first_day),
                 (warehouse.period_of('week', x.day) - warehouse.period_of('week', x.first_day)) / 7,
                 x.previous_day IS NULL OR warehouse.period_of('week', x.previous_day) <> warehouse.period_of('week', x.day))
    ) AS a (granularity, cohort_start, period_number, counts)
    WHERE a.counts AND a.period_number <= CASE a.granularity WHEN 'day' THEN 30 ELSE 12 END
    GROUP BY 1, 2, 3
    ON CONFLICT (granularity, cohort_start, period_number) DO UPDATE SET persons = c.persons + excluded.persons;
$fn$;

CREATE FUNCTION warehouse.lifecycle_cells_apply(sign integer, through date) RETURNS void
    LANGUAGE sql
AS $fn$
    WITH person_periods AS (
        SELECT DISTINCT g.granularity, d.person, warehouse.period_of(g.granularity, d.day) AS period_start
        FROM pg_temp.cell_persons p
        JOIN warehouse.person_days d ON d.person = p.person
        CROSS JOIN (VALUES ('day'), ('week'), ('month')) AS g (granularity)
        WHERE d.day <= through
    ), linked AS (
        SELECT granularity, period_start,
               lag(period_start) OVER w  AS previous_start,
               lead(period_start) OVER w AS next_start
        FROM person_periods
        WINDOW w AS (PARTITION BY granularity, person ORDER BY period_start)
    ), statuses AS (
        SELECT granularity, period_start,
               warehouse.lifecycle_status(true, previous_start = (period_start - warehouse.period_step(granularity))::date,
                                          previous_start IS NULL) AS status
        FROM linked
        UNION ALL
        SELECT granularity, (period_start + warehouse.period_step(granularity))::date, 'dormant'
        FROM linked
        WHERE next_start IS DISTINCT FROM (period_start + warehouse.period_step(granularity))::date
    )
    INSERT INTO warehouse.lifecycle_cells AS c (granularity, period_start, status, persons)
    SELECT granularity, period_start, status, sign * count(*)
    FROM statuses
    GROUP BY 1, 2, 3
    ON CONFLICT (granularity, period_start, status) DO UPDATE SET persons = c.persons + excluded.persons;
$fn$;

CREATE FUNCTION warehouse.activity_cells_apply(sign integer, through date) RETURNS void
    LANGUAGE sql
AS $fn$
    WITH spans AS (
        SELECT d.day,
               greatest(d.day, lag(d.day) OVER w + 7)  AS week_start,
               greatest(d.day, lag(d.day) OVER w + 30) AS month_start
        FROM pg_temp.cell_persons p
        JOIN warehouse.person_days d ON d.person = p.person
        WHERE d.day <= through
        WINDOW w AS (PARTITION BY d.person ORDER BY d.day)
    ), parts (day, dau, week_starts, month_starts) AS (
        SELECT day, 1, 0, 0 FROM spans
        UNION ALL SELECT week_start, 0, 1, 0 FROM spans
        UNION ALL SELECT month_start, 0, 0, 1 FROM spans
    )
    INSERT INTO warehouse.activity_cells AS c (day, dau, week_starts, month_starts)
    SELECT day, sign * sum(dau), sign * sum(week_starts), sign * sum(month_starts)
    FROM parts
    GROUP BY day
    ON CONFLICT (day) DO UPDATE SET dau = c.dau + excluded.dau,
                                    week_starts = c.week_starts + excluded.week_starts,
                                    month_starts = c.month_starts + excluded.month_starts;
$fn$;

SET LOCAL check_function_bodies = on;

-- All three for the persons of pg_temp.cell_persons.
CREATE FUNCTION warehouse.person_cells_apply(sign integer) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    through date := (SELECT s.through FROM warehouse.person_cells_state s);
BEGIN
    IF EXISTS (SELECT FROM pg_temp.cell_persons) THEN
        PERFORM warehouse.retention_cells_apply(sign);
        PERFORM warehouse.lifecycle_cells_apply(sign, through);
        PERFORM warehouse.activity_cells_apply(sign, through);
    END IF;
END
$fn$;

-- pg_temp.cell_persons, made afresh with the given persons.
CREATE FUNCTION warehouse.cell_persons_are(persons text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF to_regclass('pg_temp.cell_persons') IS NOT NULL THEN
        DROP TABLE pg_temp.cell_persons;
    END IF;
    CREATE TEMP TABLE cell_persons (person text COLLATE "C" PRIMARY KEY) ON COMMIT DROP;
    INSERT INTO pg_temp.cell_persons SELECT DISTINCT p FROM unnest(persons) AS p WHERE p IS NOT NULL;
    ANALYZE pg_temp.cell_persons;
END
$fn$;

-- The lifecycle and activity deltas of new days: pg_temp.cell_new_days (person, day) holds days
-- that person_days does not hold up to bound (they are new, or later than bound), each <= the
-- day the counts will cover. What changes (the rest of each person's days stays as it is):
--   lifecycle: the status of each new active period P and of P + 1, and of the old first
--     period when the first period moves earlier;
--   activity:  each new day (dau and its span starts), and the next older day after it (its
--     previous day, and so its span starts, change).
-- Persons without any day up to bound are left out (pg_temp.fresh_persons): the caller adds
-- them in full once their days are in person_days, which needs no lookup at all.
CREATE FUNCTION warehouse.person_cells_delta(bound date) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    -- Persons with no day up to bound yet: nothing to look up, their counts are added in full
    -- once their days are in (the caller does that, from pg_temp.fresh_persons).
    IF to_regclass('pg_temp.fresh_persons') IS NOT NULL THEN
        DROP TABLE pg_temp.fresh_persons;
    END IF;
    -- (Every lookup below walks its rows in person order, so that consecutive lookups land on
    -- the same pages of the large indexes instead of random ones.)
    CREATE TEMP TABLE fresh_persons ON COMMIT DROP AS
    SELECT n.person FROM (SELECT DISTINCT c.person FROM pg_temp.cell_new_days c ORDER BY 1) n
    WHERE NOT EXISTS (SELECT FROM warehouse.person_days d WHERE d.person = n.person AND d.day <= bound);
    DELETE FROM pg_temp.cell_new_days n USING pg_temp.fresh_persons f WHERE f.person = n.person;
    ANALYZE pg_temp.cell_new_days;

    -- Lifecycle. The new active periods (a new day is a new day period by construction; a week
    -- or month is new when no day of it was there), each person's first day before, and the
    -- positions whose status changes: each new period P, P + 1, and the old first period when
    -- the first period moves earlier. Looked up by primary key: person_days for the days
    -- before, new_periods for the new ones.
    IF to_regclass('pg_temp.new_periods') IS NOT NULL THEN
        DROP TABLE pg_temp.new_periods;
    END IF;
    CREATE TEMP TABLE new_periods (granularity text COLLATE "C", person text COLLATE "C", period_start date,
                                   PRIMARY KEY (granularity, person, period_start)) ON COMMIT DROP;
    INSERT INTO pg_temp.new_periods
    SELECT 'day', n.person, n.day FROM pg_temp.cell_new_days n
    UNION ALL
    SELECT DISTINCT g.granularity, n.person, warehouse.period_of(g.granularity, n.day)
    FROM (SELECT c.person, c.day FROM pg_temp.cell_new_days c ORDER BY 1, 2) n
    CROSS JOIN (VALUES ('week'), ('month')) AS g (granularity)
    WHERE NOT EXISTS (SELECT FROM warehouse.person_days d
                      WHERE d.person = n.person AND d.day <= bound
                        AND d.day >= warehouse.period_of(g.granularity, n.day)
                        AND d.day < (warehouse.period_of(g.granularity, n.day) + warehouse.period_step(g.granularity))::date);
    ANALYZE pg_temp.new_periods;

    WITH firsts AS (
        SELECT f.person, f.first_day, p.granularity, min(p.period_start) AS first_new
        FROM (SELECT n.person,
                     (SELECT min(d.day) FROM warehouse.person_days d WHERE d.person = n.person AND d.day <= bound) AS first_day
              FROM (SELECT DISTINCT c.person FROM pg_temp.cell_new_days c ORDER BY 1) n) f
        JOIN pg_temp.new_periods p ON p.person = f.person
        GROUP BY f.person, f.first_day, p.granularity
    ), sources (granularity, person, period_start, here_before, here_new, previous_before, previous_new) AS (
        -- what is known without looking: a new period was not active before and is now; the
        -- period after a new one had no active period before it and has one now; the old first
        -- period was active, is not new, and had nothing before it
        SELECT p.granularity, p.person, p.period_start, false, true, NULL::boolean, NULL::boolean
        FROM pg_temp.new_periods p
        UNION ALL
        SELECT p.granularity, p.person, (p.period_start + warehouse.period_step(p.granularity))::date, NULL, NULL, false, true
        FROM pg_temp.new_periods p
        UNION ALL
        SELECT f.granularity, f.person, warehouse.period_of(f.granularity, f.first_day), true, false, false, NULL
        FROM firsts f
        WHERE warehouse.period_of(f.granularity, f.first_day) > f.first_new
    ), positions AS (
        SELECT granularity, person, period_start, bool_or(here_before) AS here_before, bool_or(here_new) AS here_new,
               bool_or(previous_before) AS previous_before, bool_or(previous_new) AS previous_new
        FROM sources
        GROUP BY 1, 2, 3
        ORDER BY person, granularity, period_start
    ), states AS (
        -- the rest looked up by primary key: person_days for the days before, new_periods for
        -- the new ones
        SELECT q.granularity, q.period_start,
               warehouse.period_of(q.granularity, f.first_day) AS first_before,
               least(warehouse.period_of(q.granularity, f.first_day), f.first_new) AS first_after,
               coalesce(q.here_before, EXISTS (SELECT FROM warehouse.person_days d
                       WHERE d.person = q.person AND d.day <= bound AND d.day >= q.period_start
                         AND d.day < (q.period_start + warehouse.period_step(q.granularity))::date)) AS here_before,
               coalesce(q.previous_before, EXISTS (SELECT FROM warehouse.person_days d
                       WHERE d.person = q.person AND d.day <= bound AND d.day < q.period_start
                         AND d.day >= (q.period_start - warehouse.period_step(q.granularity))::date)) AS previous_before,
               coalesce(q.here_new, EXISTS (SELECT FROM pg_temp.new_periods n
                       WHERE n.granularity = q.granularity AND n.person = q.person AND n.period_start = q.period_start)) AS here_new,
               coalesce(q.previous_new, EXISTS (SELECT FROM pg_temp.new_periods n
                       WHERE n.granularity = q.granularity AND n.person = q.person
                         AND n.period_start = (q.period_start - warehouse.period_step(q.granularity))::date)) AS previous_new
        FROM positions q
        JOIN firsts f ON f.granularity = q.granularity AND f.person = q.person
    ), changes AS (
        SELECT granularity, period_start,
               warehouse.lifecycle_status(here_before, previous_before, period_start = first_before) AS status, -1 AS persons
        FROM states
        UNION ALL
        SELECT granularity, period_start,
               warehouse.lifecycle_status(here_before OR here_new, previous_before OR previous_new, period_start = first_after), 1
        FROM states
    )
    INSERT INTO warehouse.lifecycle_cells AS c (granularity, period_start, status, persons)
    SELECT granularity, period_start, status, sum(persons)
    FROM changes
    WHERE status IS NOT NULL
    GROUP BY 1, 2, 3
    ON CONFLICT (granularity, period_start, status) DO UPDATE SET persons = c.persons + excluded.persons;

    -- Activity: the new days, and the older day right after each (its previous day changes).
    WITH touched AS (
        SELECT * FROM (
            SELECT n.person, n.day, false AS old FROM pg_temp.cell_new_days n
            UNION
            SELECT n.person, x.day, true
            FROM (SELECT c.person, c.day FROM pg_temp.cell_new_days c ORDER BY 1, 2) n
            CROSS JOIN LATERAL (SELECT d.day FROM warehouse.person_days d
                                WHERE d.person = n.person AND d.day > n.day AND d.day <= bound
                                ORDER BY d.day LIMIT 1) x) u
        ORDER BY person, day
    ), previous AS (
        SELECT t.day, t.old,
               (SELECT d.day FROM warehouse.person_days d
                WHERE d.person = t.person AND d.day < t.day AND d.day <= bound
                ORDER BY d.day DESC LIMIT 1) AS previous_before,
               (SELECT n.day FROM pg_temp.cell_new_days n
                WHERE n.person = t.person AND n.day < t.day
                ORDER BY n.day DESC LIMIT 1) AS previous_new
        FROM touched t
    ), parts (day, dau, week_starts, month_starts) AS (
        SELECT day, CASE WHEN old THEN 0 ELSE 1 END, 0, 0 FROM previous
        UNION ALL SELECT greatest(day, greatest(previous_before, previous_new) + 7), 0, 1, 0 FROM previous
        UNION ALL SELECT greatest(day, greatest(previous_before, previous_new) + 30), 0, 0, 1 FROM previous
        UNION ALL SELECT greatest(day, previous_before + 7), 0, -1, 0 FROM previous WHERE old
        UNION ALL SELECT greatest(day, previous_before + 30), 0, 0, -1 FROM previous WHERE old
    )
    INSERT INTO warehouse.activity_cells AS c (day, dau, week_starts, month_starts)
    SELECT day, sum(dau), sum(week_starts), sum(month_starts)
    FROM parts
    GROUP BY day
    ON CONFLICT (day) DO UPDATE SET dau = c.dau + excluded.dau,
                                    week_starts = c.week_starts + excluded.week_starts,
                                    month_starts = c.month_starts + excluded.month_starts;
END
$fn$;

-- Days that have come since the counts were last brought up to date (their events were loaded
-- while they were still in the future) join the lifecycle and activity counts.
CREATE FUNCTION warehouse.person_cells_catch_up() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    today date := (now() AT TIME ZONE 'UTC')::date;
    covered date;
BEGIN
    SELECT s.through INTO covered FROM warehouse.person_cells_state s FOR UPDATE;
    IF today <= covered THEN
        RETURN;
    END IF;
    IF to_regclass('pg_temp.cell_new_days') IS NOT NULL THEN
        DROP TABLE pg_temp.cell_new_days;
    END IF;
    CREATE TEMP TABLE cell_new_days (person text COLLATE "C", day date, PRIMARY KEY (person, day)) ON COMMIT DROP;
    INSERT INTO pg_temp.cell_new_days
    SELECT d.person, d.day FROM warehouse.person_days d WHERE d.day > covered AND d.day <= today;
    IF EXISTS (SELECT FROM pg_temp.cell_new_days) THEN
        PERFORM warehouse.person_cells_delta(covered);
    END IF;
    IF to_regclass('pg_temp.fresh_persons') IS NOT NULL THEN
        PERFORM warehouse.cell_persons_are(ARRAY(SELECT f.person FROM pg_temp.fresh_persons f));
        PERFORM warehouse.lifecycle_cells_apply(1, today);
        PERFORM warehouse.activity_cells_apply(1, today);
        DROP TABLE pg_temp.fresh_persons;
    END IF;
    UPDATE warehouse.person_cells_state SET through = today;
END
$fn$;

-- Every count from all person-days (the migration, event retention, repairs), covering the days
-- up to as_of (default today; tests pass an earlier day to see later days come in).
CREATE FUNCTION warehouse.person_cells_rebuild_all(as_of date DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    TRUNCATE warehouse.retention_cells, warehouse.lifecycle_cells, warehouse.activity_cells;
    INSERT INTO warehouse.person_cells_state (through) VALUES (coalesce(as_of, (now() AT TIME ZONE 'UTC')::date))
    ON CONFLICT (singleton) DO UPDATE SET through = excluded.through;
    IF to_regclass('pg_temp.cell_persons') IS NOT NULL THEN
        DROP TABLE pg_temp.cell_persons;
    END IF;
    CREATE TEMP TABLE cell_persons ON COMMIT DROP AS SELECT DISTINCT d.person FROM warehouse.person_days d;
    ALTER TABLE pg_temp.cell_persons ADD PRIMARY KEY (person);
    ANALYZE pg_temp.cell_persons;
    PERFORM warehouse.person_cells_apply(1);
END
$fn$;

-- The person-days of the given persons from the facts, person_days only (no counts).
CREATE FUNCTION warehouse.person_days_recompute(persons text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    DELETE FROM warehouse.person_days d WHERE d.person = ANY (persons);
    -- the persons' identifiers first (an index), then their facts: one pass over the facts
    INSERT INTO warehouse.person_days (person, day)
    SELECT DISTINCT u.person_id, (f.occurred_at AT TIME ZONE 'UTC')::date
    FROM warehouse.fact_events f
    JOIN warehouse.dim_users u ON u.user_key = f.user_key
    WHERE u.person_id = ANY (persons)
    ORDER BY 1, 2;
END
$fn$;

-- Recomputes the person-days of the given persons from the facts, and their counts (null: of
-- everybody).
CREATE FUNCTION warehouse.person_days_rebuild(persons text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF persons IS NULL THEN
        TRUNCATE warehouse.person_days;
        INSERT INTO warehouse.person_days (person, day)
        SELECT DISTINCT e.person, (e.occurred_at AT TIME ZONE 'UTC')::date
        FROM warehouse.event_stream e
        ORDER BY 1, 2;
        ANALYZE warehouse.person_days;
        PERFORM warehouse.person_cells_rebuild_all();
    ELSIF cardinality(persons) > 0 THEN
        PERFORM warehouse.person_cells_catch_up();
        PERFORM warehouse.cell_persons_are(persons);
        PERFORM warehouse.person_cells_apply(-1);
        PERFORM warehouse.person_days_recompute(persons);
        PERFORM warehouse.person_cells_apply(1);
    END IF;
END
$fn$;

CREATE FUNCTION warehouse.person_days_batch() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    today date;
BEGIN
    PERFORM warehouse.person_cells_catch_up();
    SELECT s.through INTO today FROM warehouse.person_cells_state s;

    -- Persons whose earlier days change: what they add to the counts comes off first, and goes
    -- back on once their days are right.
    PERFORM warehouse.cell_persons_are(ARRAY(
        SELECT m.old_person FROM moved_persons m UNION SELECT m.new_person FROM moved_persons m
        UNION SELECT r.person FROM rebuilt_persons r));
    PERFORM warehouse.person_cells_apply(-1);
    -- an anonymous visitor who identified: their days are the user's now
    IF EXISTS (SELECT FROM moved_persons) THEN
        INSERT INTO warehouse.person_days (person, day)
        SELECT m.new_person, d.day
        FROM moved_persons m
        JOIN warehouse.person_days d ON d.person = m.old_person
        ON CONFLICT DO NOTHING;
        DELETE FROM warehouse.person_days d USING moved_persons m WHERE d.person = m.old_person;
    END IF;
    IF EXISTS (SELECT FROM rebuilt_persons) THEN
        PERFORM warehouse.person_days_recompute(ARRAY(SELECT r.person FROM rebuilt_persons r));
    END IF;
    PERFORM warehouse.person_cells_apply(1);

    -- The batch's new person-days.
    IF to_regclass('pg_temp.batch_days') IS NOT NULL THEN
        DROP TABLE pg_temp.batch_days;
    END IF;
    CREATE TEMP TABLE batch_days (person text COLLATE "C", day date, PRIMARY KEY (person, day)) ON COMMIT DROP;
    INSERT INTO pg_temp.batch_days
    SELECT b.person, b.day
    FROM (SELECT DISTINCT e.person, (e.occurred_at AT TIME ZONE 'UTC')::date AS day FROM batch_events e ORDER BY 1, 2) b
    WHERE NOT EXISTS (SELECT FROM warehouse.person_days d WHERE d.person = b.person AND d.day = b.day)
    ORDER BY 1, 2;
    ANALYZE pg_temp.batch_days;

    -- Retention: a person without days yet, or whose first day moves earlier, changes cohort
    -- (in full, below); for everybody else each new day is one more day cell of their cohort,
    -- and each new week one more week cell.
    IF to_regclass('pg_temp.cell_persons') IS NOT NULL THEN
        DROP TABLE pg_temp.cell_persons;
    END IF;
    CREATE TEMP TABLE cell_persons (person text COLLATE "C" PRIMARY KEY) ON COMMIT DROP;
    CREATE TEMP TABLE batch_firsts ON COMMIT DROP AS
    SELECT n.person, n.first_new,
           (SELECT min(d.day) FROM warehouse.person_days d WHERE d.person = n.person) AS first_day
    FROM (SELECT b.person, min(b.day) AS first_new FROM pg_temp.batch_days b GROUP BY 1 ORDER BY 1) n;
    INSERT INTO pg_temp.cell_persons
    SELECT f.person FROM pg_temp.batch_firsts f WHERE f.first_day IS NULL OR f.first_new < f.first_day;
    ANALYZE pg_temp.cell_persons;
    PERFORM warehouse.retention_cells_apply(-1);

    WITH day_cells AS (
        SELECT 'day' AS granularity, f.first_day AS cohort_start, n.day - f.first_day AS period_number
        FROM pg_temp.batch_days n
        JOIN pg_temp.batch_firsts f ON f.person = n.person
        WHERE f.first_new > f.first_day AND n.day - f.first_day <= 30
    ), week_cells AS (
        SELECT 'week' AS granularity, warehouse.period_of('week', w.first_day) AS cohort_start,
               (w.week - warehouse.period_of('week', w.first_day)) / 7 AS period_number
        FROM (SELECT DISTINCT n.person, f.first_day, warehouse.period_of('week', n.day) AS week
              FROM pg_temp.batch_days n
              JOIN pg_temp.batch_firsts f ON f.person = n.person
              WHERE f.first_new > f.first_day) w
        WHERE (w.week - warehouse.period_of('week', w.first_day)) / 7 <= 12
          AND NOT EXISTS (SELECT FROM warehouse.person_days d
                          WHERE d.person = w.person AND d.day >= w.week AND d.day < w.week + 7)
    )
    INSERT INTO warehouse.retention_cells AS c (granularity, cohort_start, period_number, persons)
    SELECT granularity, cohort_start, period_number, count(*)
    FROM (SELECT * FROM day_cells UNION ALL SELECT * FROM week_cells) x
    GROUP BY 1, 2, 3
    ON CONFLICT (granularity, cohort_start, period_number) DO UPDATE SET persons = c.persons + excluded.persons;

    -- Lifecycle and activity: by delta, for the new days up to today (later ones wait for
    -- their day: person_cells_catch_up).
    IF to_regclass('pg_temp.cell_new_days') IS NOT NULL THEN
        DROP TABLE pg_temp.cell_new_days;
    END IF;
    CREATE TEMP TABLE cell_new_days (person text COLLATE "C", day date, PRIMARY KEY (person, day)) ON COMMIT DROP;
    INSERT INTO pg_temp.cell_new_days SELECT n.person, n.day FROM pg_temp.batch_days n WHERE n.day <= today ORDER BY 1, 2;
    IF EXISTS (SELECT FROM pg_temp.cell_new_days) THEN
        PERFORM warehouse.person_cells_delta(today);
    END IF;

    -- in key order (each index page once)
    INSERT INTO warehouse.person_days (person, day)
    SELECT n.person, n.day FROM pg_temp.batch_days n ORDER BY 1, 2;

    PERFORM warehouse.retention_cells_apply(1);   -- the persons whose cohort changed, back on
    -- the persons who had no day up to today: lifecycle and activity in full
    IF to_regclass('pg_temp.fresh_persons') IS NOT NULL THEN
        PERFORM warehouse.cell_persons_are(ARRAY(SELECT f.person FROM pg_temp.fresh_persons f));
        PERFORM warehouse.lifecycle_cells_apply(1, today);
        PERFORM warehouse.activity_cells_apply(1, today);
        DROP TABLE pg_temp.fresh_persons;
    END IF;
    DROP TABLE pg_temp.batch_firsts;
END
$fn$;

CREATE FUNCTION warehouse.person_days_forget(persons text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM warehouse.person_cells_catch_up();
    PERFORM warehouse.cell_persons_are(persons);
    PERFORM warehouse.person_cells_apply(-1);
    DELETE FROM warehouse.person_days d WHERE d.person = ANY (persons);
END
$fn$;

-- Every fact with occurred_at < before is gone (whole monthly partitions dropped): days before
-- before's UTC day are gone whole; the day of before itself is mixed unless before is midnight.
-- Every cohort may change: the counts are recomputed from all person-days.
CREATE FUNCTION warehouse.person_days_expire(before timestamptz) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    first_kept date := (before AT TIME ZONE 'UTC')::date;
BEGIN
    DELETE FROM warehouse.person_days d WHERE d.day < first_kept;
    IF (before AT TIME ZONE 'UTC')::time <> time '00:00' THEN
        PERFORM warehouse.person_days_recompute(ARRAY(
            SELECT d.person FROM warehouse.person_days d WHERE d.day = first_kept));
    END IF;
    PERFORM warehouse.person_cells_rebuild_all();
END
$fn$;

-- 1b. Daily activity (mv_daily_activity: events and distinct persons per day and event type).
--     warehouse.person_day_events holds one row per person, UTC day and event type with the
--     number of events; a batch adds its events to it, and a row it adds is one more person for
--     that day and type. Everything here is per day, so an expired month just goes.
CREATE TABLE warehouse.person_day_events (
    person          text COLLATE "C" NOT NULL,
    day             date NOT NULL,
    event_type_key  integer NOT NULL,
    events          bigint NOT NULL,
    PRIMARY KEY (person, day, event_type_key)
);
CREATE INDEX person_day_events_day ON warehouse.person_day_events (day);
CREATE TABLE warehouse.daily_activity_cells (
    day             date NOT NULL,
    event_type_key  integer NOT NULL,
    events          bigint NOT NULL,
    persons         bigint NOT NULL,
    PRIMARY KEY (day, event_type_key)
);
COMMENT ON TABLE warehouse.person_day_events IS 'One row per person, UTC day and event type with the number of events; kept by the pipeline.';
COMMENT ON TABLE warehouse.daily_activity_cells IS 'Per UTC day and event type: events, and distinct persons with that event type that day; kept by the pipeline from warehouse.person_day_events.';

SET LOCAL check_function_bodies = off;
-- What the persons of pg_temp.cell_persons (warehouse.cell_persons_are) add, times sign.
CREATE FUNCTION warehouse.daily_activity_apply(sign integer) RETURNS void
    LANGUAGE sql
AS $fn$
    INSERT INTO warehouse.daily_activity_cells AS c (day, event_type_key, events, persons)
    SELECT t.day, t.event_type_key, sign * sum(t.events), sign * count(*)
    FROM pg_temp.cell_persons p
    JOIN warehouse.person_day_events t ON t.person = p.person
    GROUP BY 1, 2
    ON CONFLICT (day, event_type_key) DO UPDATE SET events = c.events + excluded.events,
                                                    persons = c.persons + excluded.persons;
$fn$;
SET LOCAL check_function_bodies = on;

-- The rows of the given persons from the facts (no counts).
CREATE FUNCTION warehouse.person_day_events_recompute(persons text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    DELETE FROM warehouse.person_day_events t WHERE t.person = ANY (persons);
    INSERT INTO warehouse.person_day_events (person, day, event_type_key, events)
    SELECT u.person_id, (f.occurred_at AT TIME ZONE 'UTC')::date, f.event_type_key, count(*)
    FROM warehouse.fact_events f
    JOIN warehouse.dim_users u ON u.user_key = f.user_key
    WHERE u.person_id = ANY (persons)
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3;
END
$fn$;

CREATE FUNCTION warehouse.daily_activity_rebuild(persons text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF persons IS NULL THEN
        TRUNCATE warehouse.person_day_events, warehouse.daily_activity_cells;
        INSERT INTO warehouse.person_day_events (person, day, event_type_key, events)
        SELECT u.person_id, (f.occurred_at AT TIME ZONE 'UTC')::date, f.event_type_key, count(*)
        FROM warehouse.fact_events f
        JOIN warehouse.dim_users u ON u.user_key = f.user_key
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3;
        INSERT INTO warehouse.daily_activity_cells (day, event_type_key, events, persons)
        SELECT t.day, t.event_type_key, sum(t.events), count(*)
        FROM warehouse.person_day_events t
        GROUP BY 1, 2;
        ANALYZE warehouse.person_day_events;
    ELSIF cardinality(persons) > 0 THEN
        PERFORM warehouse.cell_persons_are(persons);
        PERFORM warehouse.daily_activity_apply(-1);
        PERFORM warehouse.person_day_events_recompute(persons);
        PERFORM warehouse.daily_activity_apply(1);
    END IF;
END
$fn$;

CREATE FUNCTION warehouse.daily_activity_batch() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    -- persons whose earlier rows change: off in full, changed, back on
    PERFORM warehouse.cell_persons_are(ARRAY(
        SELECT m.old_person FROM moved_persons m UNION SELECT m.new_person FROM moved_persons m
        UNION SELECT r.person FROM rebuilt_persons r));
    IF EXISTS (SELECT FROM pg_temp.cell_persons) THEN
        PERFORM warehouse.daily_activity_apply(-1);
        INSERT INTO warehouse.person_day_events AS t (person, day, event_type_key, events)
        SELECT m.new_person, o.day, o.event_type_key, o.events
        FROM moved_persons m
        JOIN warehouse.person_day_events o ON o.person = m.old_person
        ON CONFLICT (person, day, event_type_key) DO UPDATE SET events = t.events + excluded.events;
        DELETE FROM warehouse.person_day_events t USING moved_persons m WHERE t.person = m.old_person;
        IF EXISTS (SELECT FROM rebuilt_persons) THEN
            PERFORM warehouse.person_day_events_recompute(ARRAY(SELECT r.person FROM rebuilt_persons r));
        END IF;
        PERFORM warehouse.daily_activity_apply(1);
    END IF;

    -- the batch: its events per person, day and type; a row not there yet is one more person
    IF to_regclass('pg_temp.batch_day_events') IS NOT NULL THEN
        DROP TABLE pg_temp.batch_day_events;
    END IF;
    CREATE TEMP TABLE batch_day_events ON COMMIT DROP AS
    SELECT c.person, c.day, c.event_type_key, c.events,
           NOT EXISTS (SELECT FROM warehouse.person_day_events t
                       WHERE t.person = c.person AND t.day = c.day AND t.event_type_key = c.event_type_key) AS is_new
    FROM (SELECT b.person, (b.occurred_at AT TIME ZONE 'UTC')::date AS day, k.event_type_key, count(*) AS events
          FROM batch_events b
          JOIN warehouse.dim_event_types k ON k.event_type = b.event_type
          GROUP BY 1, 2, 3
          ORDER BY 1, 2, 3) c;

    INSERT INTO warehouse.person_day_events AS t (person, day, event_type_key, events)
    SELECT n.person, n.day, n.event_type_key, n.events FROM pg_temp.batch_day_events n ORDER BY 1, 2, 3
    ON CONFLICT (person, day, event_type_key) DO UPDATE SET events = t.events + excluded.events;

    INSERT INTO warehouse.daily_activity_cells AS c (day, event_type_key, events, persons)
    SELECT n.day, n.event_type_key, sum(n.events), count(*) FILTER (WHERE n.is_new)
    FROM pg_temp.batch_day_events n
    GROUP BY 1, 2
    ON CONFLICT (day, event_type_key) DO UPDATE SET events = c.events + excluded.events,
                                                    persons = c.persons + excluded.persons;
    DROP TABLE pg_temp.batch_day_events;
END
$fn$;

CREATE FUNCTION warehouse.daily_activity_forget(persons text[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM warehouse.cell_persons_are(persons);
    PERFORM warehouse.daily_activity_apply(-1);
    DELETE FROM warehouse.person_day_events t WHERE t.person = ANY (persons);
END
$fn$;

CREATE FUNCTION warehouse.daily_activity_expire(before timestamptz) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    first_kept date := (before AT TIME ZONE 'UTC')::date;
BEGIN
    DELETE FROM warehouse.person_day_events t WHERE t.day < first_kept;
    DELETE FROM warehouse.daily_activity_cells c WHERE c.day < first_kept;
    IF (before AT TIME ZONE 'UTC')::time <> time '00:00' THEN
        PERFORM warehouse.daily_activity_rebuild(ARRAY(
            SELECT DISTINCT t.person FROM warehouse.person_day_events t WHERE t.day = first_kept));
    END IF;
END
$fn$;

-- 2. The dispatchers: every derived table's part, in one place.
CREATE FUNCTION warehouse.derive_batch() RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM warehouse.person_days_batch();
    PERFORM warehouse.daily_activity_batch();
END
$fn$;

CREATE FUNCTION warehouse.derive_rebuild(persons text[]) RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    -- never beside a batch (re-entrant: the pipeline's own session already holds it)
    PERFORM pg_advisory_xact_lock(hashtext('spectrum.warehouse.run_pipeline'));
    PERFORM warehouse.person_days_rebuild(persons);
    PERFORM warehouse.daily_activity_rebuild(persons);
END
$fn$;

CREATE FUNCTION warehouse.derive_forget(persons text[]) RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM warehouse.person_days_forget(persons);
    PERFORM warehouse.daily_activity_forget(persons);
END
$fn$;

CREATE FUNCTION warehouse.derive_expire(before timestamptz) RETURNS void
    LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM warehouse.person_days_expire(before);
    PERFORM warehouse.daily_activity_expire(before);
END
$fn$;

COMMENT ON FUNCTION warehouse.derive_rebuild(text[]) IS
    'Recomputes the derived tables (person_days and its counts, person_day_events, sessions) of the given persons from the facts; null: of everybody. SELECT warehouse.derive_rebuild(null) repairs them by hand.';

-- 3. The batch load of V11, with the identity step recording whose person changed and the
--    derived tables kept at the end. Steps 1-2 and 4-5 are V11's unchanged.
CREATE OR REPLACE FUNCTION warehouse.load_batch(from_id bigint, to_id bigint,
                                     OUT events_loaded bigint, OUT duplicates_skipped bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
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
    events_loaded := staged - duplicates_skipped;

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
-- The derived tables change only through the pipeline's own role (as load_batch).
REVOKE EXECUTE ON FUNCTION warehouse.retention_cells_apply(integer), warehouse.lifecycle_cells_apply(integer, date),
    warehouse.activity_cells_apply(integer, date), warehouse.person_cells_apply(integer), warehouse.cell_persons_are(text[]),
    warehouse.person_cells_delta(date), warehouse.person_cells_catch_up(), warehouse.person_cells_rebuild_all(date),
    warehouse.person_days_recompute(text[]), warehouse.person_days_rebuild(text[]), warehouse.person_days_batch(),
    warehouse.person_days_forget(text[]), warehouse.person_days_expire(timestamptz), warehouse.daily_activity_apply(integer),
    warehouse.person_day_events_recompute(text[]), warehouse.daily_activity_rebuild(text[]),
    warehouse.daily_activity_batch(), warehouse.daily_activity_forget(text[]), warehouse.daily_activity_expire(timestamptz),
    warehouse.derive_batch(), warehouse.derive_rebuild(text[]), warehouse.derive_forget(text[]), warehouse.derive_expire(timestamptz)
    FROM PUBLIC;

-- 4. Forgetting a person (V13) and event retention (V13), as there, each with its derived
--    tables' step added.
CREATE OR REPLACE PROCEDURE warehouse.forget_person(person text, refresh boolean DEFAULT true,
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
    persons text[];
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
    persons := ARRAY(SELECT DISTINCT u.person_id FROM warehouse.dim_users u WHERE u.user_key = ANY (user_keys));
    DELETE FROM warehouse.fact_events f WHERE f.user_key = ANY (user_keys);
    GET DIAGNOSTICS events_removed = ROW_COUNT;
    DELETE FROM warehouse.dim_users u WHERE u.user_key = ANY (user_keys);
    DELETE FROM warehouse.identity_links l WHERE l.anonymous_id = ANY (anonymous_ids) AND (NOT is_user OR l.user_id = person);
    -- Derived tables (V14): the persons of the removed identifiers lose their rows; one that
    -- still has identifiers left (only when ids of the two kinds are equal strings) is
    -- recomputed from what remains.
    PERFORM warehouse.derive_forget(persons);
    PERFORM warehouse.derive_rebuild(ARRAY(
        SELECT DISTINCT u.person_id FROM warehouse.dim_users u WHERE u.person_id = ANY (persons)));

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

CREATE OR REPLACE PROCEDURE warehouse.apply_data_retention(run bigint, INOUT failure text DEFAULT NULL,
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
    kept_from timestamptz;
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
                kept_from := (part.month + interval '1 month') AT TIME ZONE 'UTC';
            END LOOP;
            -- Derived tables (V14), in the same transaction as the drops: what came from the
            -- dropped months goes too.
            IF kept_from IS NOT NULL THEN
                PERFORM warehouse.derive_expire(kept_from);
            END IF;
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

-- 5. The person-days and their counts from the facts loaded so far (once: the pipeline keeps
--    them from now on), and the three views on the counts: the same rows as V10's and V12's
--    definitions, at the cost of their output (a few thousand rows) instead of every event.
SELECT warehouse.derive_rebuild(NULL);

-- Retention (docs/: a person's cohort is the period of their first event; retained in period N
-- with an event in the period N periods after the cohort's start). Every cohort, every period
-- 0..30 days / 0..12 weeks that has begun, zeros kept; the grid and the counts matched by a
-- GROUP BY over their UNION ALL as in V10.
DROP MATERIALIZED VIEW analytics.mv_retention_cohorts;
CREATE MATERIALIZED VIEW analytics.mv_retention_cohorts AS
WITH grains (granularity, period_days, last_period) AS (
    VALUES ('day', 1, 30), ('week', 7, 12)
), retained AS (
    SELECT c.granularity COLLATE "default" AS granularity, c.cohort_start, c.period_number, c.persons AS retained
    FROM warehouse.retention_cells c
    WHERE c.persons > 0
), grid AS (
    SELECT r.granularity, r.cohort_start, n.period_number
    FROM retained r
    JOIN grains g USING (granularity)
    CROSS JOIN LATERAL generate_series(
        0, least(g.last_period, ((now() AT TIME ZONE 'UTC')::date - r.cohort_start) / g.period_days)
    ) AS n (period_number)
    WHERE r.period_number = 0
), cells AS (
    SELECT granularity, cohort_start, period_number, max(retained) AS retained, bool_or(in_grid) AS in_grid
    FROM (SELECT granularity, cohort_start, period_number, retained, false AS in_grid FROM retained
          UNION ALL
          SELECT granularity, cohort_start, period_number, 0::bigint, true FROM grid) c
    GROUP BY granularity, cohort_start, period_number
)
SELECT c.granularity,
       c.cohort_start,
       c.period_number,
       max(c.retained) FILTER (WHERE c.period_number = 0) OVER cohort                        AS cohort_size,
       c.retained,
       c.retained::double precision / max(c.retained) FILTER (WHERE c.period_number = 0) OVER cohort AS retention_rate
FROM cells c
WHERE c.in_grid
WINDOW cohort AS (PARTITION BY c.granularity, c.cohort_start);

CREATE UNIQUE INDEX mv_retention_cohorts_key
    ON analytics.mv_retention_cohorts (granularity, cohort_start, period_number);

-- Active persons (V12): one row per day from the first day with an event up to today; wau and
-- mau from the span starts as V12 explains.
DROP MATERIALIZED VIEW analytics.mv_active_persons;
CREATE MATERIALIZED VIEW analytics.mv_active_persons AS
WITH bounds AS (
    SELECT (now() AT TIME ZONE 'UTC')::date AS today
), days AS (
    SELECT d::date AS day,
           coalesce(a.dau, 0)          AS dau,
           coalesce(a.week_starts, 0)  AS week_starts,
           coalesce(a.month_starts, 0) AS month_starts
    FROM generate_series((SELECT min(c.day) FROM warehouse.activity_cells c, bounds b WHERE c.dau > 0 AND c.day <= b.today),
                         (SELECT today FROM bounds), interval '1 day') AS d
    LEFT JOIN warehouse.activity_cells a ON a.day = d::date
)
SELECT day,
       dau::bigint AS dau,
       (sum(week_starts) OVER upto - (sum(dau) OVER upto - sum(dau) OVER last7))::bigint   AS wau,
       (sum(month_starts) OVER upto - (sum(dau) OVER upto - sum(dau) OVER last30))::bigint AS mau
FROM days
WINDOW upto   AS (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
       last7  AS (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW),
       last30 AS (ORDER BY day ROWS BETWEEN 29 PRECEDING AND CURRENT ROW);

CREATE UNIQUE INDEX mv_active_persons_key ON analytics.mv_active_persons (day);
COMMENT ON MATERIALIZED VIEW analytics.mv_active_persons IS
    'One row per UTC day up to today: distinct persons active that day (dau), in the 7 days ending that day (wau), in the 30 days ending that day (mau).';

-- Lifecycle (V12): every period from the first active one to the current one, every status,
-- zeros included.
DROP MATERIALIZED VIEW analytics.mv_lifecycle;
CREATE MATERIALIZED VIEW analytics.mv_lifecycle AS
WITH bounds AS (
    SELECT (now() AT TIME ZONE 'UTC')::date AS today
), grains (granularity, step) AS (
    VALUES ('day', interval '1 day'), ('week', interval '7 days'), ('month', interval '1 month')
), periods AS (
    SELECT g.granularity, p::date AS period_start
    FROM grains g
    CROSS JOIN bounds b
    CROSS JOIN LATERAL (
        SELECT min(c.period_start) AS first_start FROM warehouse.lifecycle_cells c
        WHERE c.granularity = g.granularity AND c.status = 'new' AND c.persons > 0
    ) f
    CROSS JOIN LATERAL generate_series(f.first_start, warehouse.period_of(g.granularity, b.today), g.step) AS p
    WHERE f.first_start IS NOT NULL
)
SELECT p.granularity, p.period_start, s.status, coalesce(c.persons, 0)::bigint AS persons
FROM periods p
CROSS JOIN (VALUES ('new'), ('returning'), ('resurrecting'), ('dormant')) AS s (status)
LEFT JOIN warehouse.lifecycle_cells c
       ON c.granularity = p.granularity AND c.period_start = p.period_start AND c.status = s.status;

CREATE UNIQUE INDEX mv_lifecycle_key ON analytics.mv_lifecycle (granularity, period_start, status);
COMMENT ON MATERIALIZED VIEW analytics.mv_lifecycle IS
    'Persons per period (day, week, month) by lifecycle status: new, returning, resurrecting, dormant (active in the previous period, not in this one; never negative).';

-- Daily activity (V12): one row per UTC day x event type with at least one event.
DROP MATERIALIZED VIEW analytics.mv_daily_activity;
CREATE MATERIALIZED VIEW analytics.mv_daily_activity AS
SELECT c.day, t.event_type, c.events, c.persons
FROM warehouse.daily_activity_cells c
JOIN warehouse.dim_event_types t ON t.event_type_key = c.event_type_key
WHERE c.events > 0;

CREATE UNIQUE INDEX mv_daily_activity_key ON analytics.mv_daily_activity (day, event_type);
COMMENT ON MATERIALIZED VIEW analytics.mv_daily_activity IS
    'One row per UTC day and event type: events, and distinct persons with that event that day.';

GRANT SELECT ON analytics.mv_retention_cohorts, analytics.mv_active_persons, analytics.mv_lifecycle,
    analytics.mv_daily_activity TO spectrum_reader;

-- 6. Refreshing: the lifecycle and activity counts take in the days that have come since the
--    last batch first (refresh_view as in V5 otherwise). When a pipeline run holds its lock the
--    run brings them up to date itself, before its own refresh.
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
    EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.%I', matview);
    refreshed := clock_timestamp();
    INSERT INTO analytics.view_refreshes (view_name, refreshed_at) VALUES ('analytics.' || matview, refreshed);
    RETURN refreshed;
END
$fn$;

RESET ROLE;
