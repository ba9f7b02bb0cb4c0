-- Definitions: the Funnel (and later Experiment) views that ./spectrum apply and the operator
-- create, and the combined views over them. Every per-definition view is made by the one
-- generator (module definitions), applied under SET ROLE spectrum_pipeline.
SET LOCAL ROLE spectrum_pipeline;

-- What is applied: one row per definition, with the SQL that made its view.
CREATE TABLE warehouse.definitions (
    kind        text        NOT NULL CHECK (kind IN ('Funnel', 'Experiment')),
    name        text        NOT NULL,
    view_name   text        NOT NULL UNIQUE,
    sql_hash    text        NOT NULL,
    sql         text        NOT NULL,
    spec        jsonb       NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name)
);

-- The columns of a funnel view, and no rows: what the combined view is while no funnel exists.
CREATE VIEW warehouse.no_funnel_rows AS
SELECT NULL::text AS funnel, NULL::text AS granularity, NULL::date AS period_start, NULL::text AS breakdown,
       NULL::integer AS step, NULL::text AS step_name, NULL::bigint AS persons,
       NULL::double precision AS conversion_rate, NULL::double precision AS step_conversion_rate,
       NULL::double precision AS median_seconds_from_previous
WHERE false;

-- The combined funnel view, recreated (by the definitions module's ViewStore) whenever a funnel
-- is applied or deleted, over exactly the funnels in warehouse.definitions.
CREATE VIEW analytics.mv_conversion_funnels AS SELECT * FROM warehouse.no_funnel_rows;

RESET ROLE;
