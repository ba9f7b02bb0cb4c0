package dev.spectrum.operator.spectrum.state;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * What one reconcile of a Spectrum learned about its database, shared by the dependents and the
 * status writer (one typed object, not a string-keyed stash). Set by the database and logins
 * dependents; read by the ones after them and by {@code SpectrumStatusWriter}.
 */
public final class SpectrumState {

    private static final String KEY = SpectrumState.class.getName();

    volatile SpectrumDatabase database;
    volatile SpectrumDatabase.Unavailable unavailable;
    volatile String schemaVersion;
    volatile int migrationsExecuted;
    volatile String migrationError;
    volatile String loginsError;
    volatile boolean loginsReady;
    volatile Boolean retentionWritten;

    public static SpectrumState of(Context<Spectrum> context) {
        var shared = context.managedWorkflowAndDependentResourceContext();
        return shared.get(KEY, SpectrumState.class).orElseGet(() -> {
            SpectrumState state = new SpectrumState();
            shared.put(KEY, state);
            return state;
        });
    }

    public SpectrumDatabase database() { return database; }
    public boolean databaseReady() { return database != null && unavailable == null; }
    public boolean schemaReady() { return databaseReady() && schemaVersion != null && migrationError == null; }
    public boolean loginsReady() { return schemaReady() && loginsReady; }
    public void database(SpectrumDatabase database) { this.database = database; }
    public void unavailable(SpectrumDatabase.Unavailable unavailable) { this.unavailable = unavailable; }
    public void migrated(String version, int executed) { this.schemaVersion = version; this.migrationsExecuted = executed; }
    public void migrationFailed(String error) { this.migrationError = error; }
    public void logins(boolean ready, String error) { this.loginsReady = ready; this.loginsError = error; }
    public void retentionWritten(boolean written) { this.retentionWritten = written; }
    public int migrationsExecuted() { return migrationsExecuted; }
    public String schemaVersion() { return schemaVersion; }
    public String migrationError() { return migrationError; }
    public String loginsError() { return loginsError; }
    public SpectrumDatabase.Unavailable unavailable() { return unavailable; }
    public Boolean retentionWritten() { return retentionWritten; }
}
