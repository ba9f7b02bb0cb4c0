-- Exposure events for the experiment of bench/dashboards-definitions.yaml, added to the shared
-- data set (bench/generate.sql): half of the identified users, each exposed once to one of five
-- variants (fixed by a hash of the user id), at a time within the last 60 days. Plain SQL, no
-- psql variables: the dashboard tests run it too.
INSERT INTO staging.raw_events (event_id, event_type, user_id, occurred_at, received_at, properties, context, source)
SELECT gen_random_uuid(), 'experiment_exposure', u.user_id, t.at, t.at,
       jsonb_build_object('experiment', 'dashboards-bench', 'variant', 'v' || abs(hashtext(u.user_id || '/variant')) % 5),
       '{}'::jsonb, 'bench'
FROM (SELECT DISTINCT user_id FROM staging.raw_events WHERE user_id IS NOT NULL AND event_type <> 'experiment_exposure') u
CROSS JOIN LATERAL (SELECT now() - interval '60 days' + (abs(hashtext(u.user_id)) % 5000) * interval '1 day' / 100 AS at) t
WHERE abs(hashtext(u.user_id || '/exposed')) % 2 = 0;
