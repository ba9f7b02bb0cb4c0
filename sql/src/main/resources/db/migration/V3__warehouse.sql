-- warehouse: the star schema, loaded from staging by warehouse.run_pipeline() (V5).
-- Every object here is owned by spectrum_pipeline.
SET LOCAL ROLE spectrum_pipeline;

CREATE TABLE warehouse.dim_event_types (
    event_type_key  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type      text COLLATE "C" NOT NULL UNIQUE,
    first_seen_at   timestamptz NOT NULL
);

CREATE TABLE warehouse.dim_accounts (
    account_key     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      text COLLATE "C" NOT NULL UNIQUE,
    first_seen_at   timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL
) WITH (fillfactor = 50);

-- Text keys use the "C" collation: byte order, so that joins and index builds on them are cheap.
-- Foreign keys are left out of the load path on purpose (their per-row checks would double its
-- cost); the pipeline derives every key from the dimension rows it has just written.

-- One row per distinct (country, region, city); unknown parts are '' (never null).
CREATE TABLE warehouse.dim_geography (
    geography_key   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    country_code    text COLLATE "C" NOT NULL,
    region          text COLLATE "C" NOT NULL,
    city            text COLLATE "C" NOT NULL,
    UNIQUE (country_code, region, city)
);

-- One row per identifier that events were sent with: the user_id when the event had one
-- (id_kind 'user'), else its anonymous_id (id_kind 'anonymous'). person_id is the person of
-- semantics.md and is rewritten when an identity link arrives later, so every view that joins
-- facts to this table counts the person as it is known now.
CREATE TABLE warehouse.dim_users (
    user_key         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id_kind          text COLLATE "C" NOT NULL CHECK (id_kind IN ('user', 'anonymous')),
    distinct_id      text COLLATE "C" NOT NULL,
    person_id        text COLLATE "C" NOT NULL,
    account_key      bigint,
    first_seen_at    timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    UNIQUE (id_kind, distinct_id)
) WITH (fillfactor = 50);   -- room on each page: last_seen_at moves with every batch (HOT updates)

COMMENT ON COLUMN warehouse.dim_users.person_id IS
    'The canonical person: user_id, or for an anonymous id the user it was first linked to (event order), else the anonymous id.';
COMMENT ON COLUMN warehouse.dim_users.account_key IS 'The account of this identifier''s most recently loaded event that had one.';

-- The identity links between anonymous ids and user ids: for each anonymous id, the earliest
-- event (in event order: occurred_at, then event_id) that carried it together with a user_id.
CREATE TABLE warehouse.identity_links (
    anonymous_id    text COLLATE "C" PRIMARY KEY,
    user_id         text COLLATE "C" NOT NULL,
    linked_at       timestamptz NOT NULL,
    link_event_id   uuid        NOT NULL
);

-- Every event_id ever loaded and the staging row that won: the dedup registry. fact_events is
-- partitioned by occurred_at, so it cannot itself hold a unique key on event_id alone.
CREATE TABLE warehouse.loaded_events (
    event_id  uuid   PRIMARY KEY,
    raw_id    bigint NOT NULL
);

CREATE TABLE warehouse.fact_events (
    event_id        uuid        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    event_type_key  integer     NOT NULL,
    account_key     bigint,
    user_key        bigint      NOT NULL,
    geography_key   integer     NOT NULL,
    revenue         numeric,
    properties      jsonb       NOT NULL,
    raw_id          bigint      NOT NULL,
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);

COMMENT ON TABLE warehouse.fact_events IS
    'One row per distinct event_id, partitioned by calendar month (UTC) of occurred_at; partitions are made by the pipeline as needed.';
COMMENT ON COLUMN warehouse.fact_events.revenue IS 'The revenue property when it is a JSON number or a plain decimal string; else null.';

-- The pipeline's watermark: every staging row with id <= loaded_through has been handled.
CREATE TABLE warehouse.pipeline_state (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    loaded_through  bigint  NOT NULL DEFAULT 0
);
INSERT INTO warehouse.pipeline_state DEFAULT VALUES;

-- Events as analytics sees them: one row per fact with the person resolved through the
-- identity links as they are now. Every analytics view reads facts through this view.
CREATE VIEW warehouse.event_stream AS
SELECT f.event_id,
       f.occurred_at,
       t.event_type,
       u.person_id    AS person,
       a.account_id,                 -- null when the event had none
       g.country_code AS country,
       g.region,
       g.city,
       f.revenue,
       f.properties
FROM warehouse.fact_events f
JOIN warehouse.dim_event_types t ON t.event_type_key = f.event_type_key
JOIN warehouse.dim_users u       ON u.user_key = f.user_key
JOIN warehouse.dim_geography g   ON g.geography_key = f.geography_key
LEFT JOIN warehouse.dim_accounts a ON a.account_key = f.account_key;

RESET ROLE;
