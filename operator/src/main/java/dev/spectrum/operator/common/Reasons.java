package dev.spectrum.operator.common;

/** Condition types and reasons, as constants (CamelCase, Kubernetes API conventions). */
public final class Reasons {

    public static final String READY = "Ready";
    public static final String DATABASE_READY = "DatabaseReady";
    public static final String SCHEMA_READY = "SchemaReady";
    public static final String INGEST_READY = "IngestReady";
    public static final String PIPELINE_SCHEDULED = "PipelineScheduled";

    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String SECRET_NOT_FOUND = "SecretNotFound";
    public static final String INVALID_SECRET = "InvalidSecret";
    public static final String PROVISIONING = "Provisioning";
    public static final String STARTING = "Starting";
    public static final String CNPG_NOT_INSTALLED = "CloudNativePGNotInstalled";
    public static final String UNREACHABLE = "Unreachable";
    public static final String CONNECTED = "Connected";
    public static final String MIGRATED = "Migrated";
    public static final String MIGRATION_FAILED = "MigrationFailed";
    public static final String DATABASE_NOT_READY = "DatabaseNotReady";
    public static final String LOGINS_FAILED = "LoginsFailed";
    public static final String AVAILABLE = "Available";
    public static final String UNAVAILABLE = "PodsUnavailable";
    public static final String SCHEDULED = "Scheduled";
    public static final String NOT_READY = "NotReady";
    public static final String KIND_CHANGED = "DatabaseKindChanged";

    private Reasons() {
    }
}
