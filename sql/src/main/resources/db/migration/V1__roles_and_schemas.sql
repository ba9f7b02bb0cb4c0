-- Spectrum: roles and schemas.
--
-- Three roles without login, shared by every database of the server, created idempotently:
--   spectrum_ingest    INSERT on staging.raw_events, nothing else
--   spectrum_pipeline  reads staging, owns every object in warehouse and analytics
--   spectrum_reader    SELECT on analytics only (Grafana's role)
-- The login that runs the migrations owns the database, has CREATEROLE and becomes a member of
-- spectrum_pipeline so that it can create objects owned by that role (SET LOCAL ROLE below).

DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['spectrum_ingest', 'spectrum_pipeline', 'spectrum_reader'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- another database of this server created it at the same moment
            END;
        END IF;
    END LOOP;
END
$roles$;

GRANT spectrum_pipeline TO CURRENT_USER;

-- Nobody but the owner creates anything in public.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA staging;
CREATE SCHEMA warehouse AUTHORIZATION spectrum_pipeline;
CREATE SCHEMA analytics AUTHORIZATION spectrum_pipeline;

GRANT USAGE ON SCHEMA staging TO spectrum_ingest, spectrum_pipeline;
GRANT USAGE ON SCHEMA analytics TO spectrum_reader;

-- Everything spectrum_pipeline creates in analytics (also later, also the generated
-- per-definition views) is readable by spectrum_reader.
ALTER DEFAULT PRIVILEGES FOR ROLE spectrum_pipeline IN SCHEMA analytics
    GRANT SELECT ON TABLES TO spectrum_reader;
-- Functions are executable by PUBLIC by default; in warehouse only by spectrum_pipeline.
ALTER DEFAULT PRIVILEGES FOR ROLE spectrum_pipeline IN SCHEMA warehouse
    REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE spectrum_pipeline IN SCHEMA analytics
    REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
