-- Who applied each definition: the operator records namespace/name of the resource, so that a
-- second resource of the same kind and name pointing at the same database is refused
-- (crds.md: Ready=False, reason Conflict) and cannot drop the first one's view. Definitions
-- applied by ./spectrum have no owner.
SET LOCAL ROLE spectrum_pipeline;

ALTER TABLE warehouse.definitions ADD COLUMN owner text;
COMMENT ON COLUMN warehouse.definitions.owner IS
    'namespace/name of the Kubernetes resource that applied it; null when applied by ./spectrum';

RESET ROLE;
