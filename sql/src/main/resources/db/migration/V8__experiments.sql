-- The combined experiment view, recreated (by the definitions module's ViewStore) whenever an
-- Experiment is applied or deleted, over exactly the experiments in warehouse.definitions.
SET LOCAL ROLE spectrum_pipeline;

-- The columns of an experiment view, and no rows: the combined view while no experiment exists.
CREATE VIEW warehouse.no_experiment_rows AS
SELECT NULL::text AS experiment, NULL::text AS metric, NULL::text AS variant, NULL::boolean AS is_control,
       NULL::bigint AS persons, NULL::double precision AS mean, NULL::double precision AS stddev,
       NULL::double precision AS abs_lift, NULL::double precision AS rel_lift,
       NULL::double precision AS rel_lift_ci_low, NULL::double precision AS rel_lift_ci_high,
       NULL::double precision AS p_value, NULL::boolean AS significant,
       NULL::double precision AS chance_to_beat_control, NULL::double precision AS srm_p_value
WHERE false;

CREATE VIEW analytics.mv_experiment_results AS SELECT * FROM warehouse.no_experiment_rows;

RESET ROLE;
