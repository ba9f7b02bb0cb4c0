-- The shared benchmark data set (bars.md): events over 180 days from 200,000 persons, 30 event
-- types, 2,000 accounts, properties of 3-6 keys (about 150 bytes), 1% arriving late (their
-- occurred_at up to 3 days before their neighbours in arrival order), anonymous visits and
-- identify events that link anonymous ids to users.
--
--   psql -v events=1000000 -f bench/generate.sql      (into staging.raw_events of the current db)
--   psql -v events=100000 -v seed=0.7 -f bench/generate.sql   (other persons and times: a second increment
--                                                      that does not repeat the first one's person-days)
--
-- Every event_id is distinct (a fresh random UUID).
\set ON_ERROR_STOP on
\if :{?events}
\else
  \set events 1000000
\endif

\if :{?seed}
\else
  \set seed 0.42
\endif
SELECT setseed(:seed);

INSERT INTO staging.raw_events (event_id, event_type, account_id, user_id, anonymous_id,
                                occurred_at, received_at, properties, context, source)
SELECT gen_random_uuid(),
       t.event_type,
       CASE WHEN s.r_acct < 0.8 THEN 'acct-' || lpad((s.person % 2000)::text, 4, '0') END,
       CASE WHEN s.r_id < 0.70 OR t.event_type = 'identify' THEN 'user-' || s.person END,
       CASE WHEN s.r_id >= 0.65 OR t.event_type = 'identify' THEN 'anon-' || s.person END,
       s.occurred_at,
       s.occurred_at + interval '1 second',
       jsonb_strip_nulls(jsonb_build_object(
           'plan',     (ARRAY['free', 'starter', 'pro', 'team', 'enterprise'])[1 + (s.person % 5)],
           'path',     '/app/' || (ARRAY['home', 'pricing', 'settings', 'reports', 'billing'])[1 + (s.i % 5)] || '/' || (s.i % 997),
           'value',    (s.r_val * 1000)::int,
           'campaign', CASE WHEN s.n_keys >= 4 THEN 'campaign_' || (s.i % 50) || '_2026' END,
           'referrer', CASE WHEN s.n_keys >= 5 THEN (ARRAY['google', 'newsletter', 'partner', 'direct'])[1 + (s.i % 4)] END,
           'revenue',  CASE WHEN t.event_type = 'purchase' THEN round((s.r_val * 200 - 10)::numeric, 2)
                            WHEN s.n_keys >= 6 THEN 0 END)),
       jsonb_build_object('country', (ARRAY['US', 'DE', 'FR', 'GB', 'BR', 'IN', 'JP', 'CA'])[1 + (s.person % 8)],
                          'city', 'city-' || (s.person % 300),
                          'locale', 'en-US'),
       'bench'
FROM (
    SELECT g AS i,
           1 + (random() * 199999)::int AS person,
           random() AS r_id, random() AS r_acct, random() AS r_val,
           3 + (random() * 3.99)::int AS n_keys,
           1 + (random() * 29.99)::int AS type_no,
           now() - interval '180 days' + (g::double precision / :events) * interval '180 days'
               - CASE WHEN random() < 0.01 THEN random() * interval '3 days' ELSE interval '0' END AS occurred_at
    FROM generate_series(1, :events) AS g
) s
CROSS JOIN LATERAL (
    SELECT CASE s.type_no WHEN 1 THEN 'signup' WHEN 2 THEN 'identify' WHEN 3 THEN 'purchase'
                          ELSE 'event_' || lpad(s.type_no::text, 2, '0') END AS event_type
) t;
