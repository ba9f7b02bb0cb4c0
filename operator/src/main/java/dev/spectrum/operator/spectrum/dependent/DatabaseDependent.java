package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.DefinitionDuration;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.common.Reasons;
import dev.spectrum.operator.spectrum.state.SpectrumDatabase;
import dev.spectrum.operator.spectrum.state.SpectrumState;
import dev.spectrum.operator.spectrum.database.DatabaseSetup;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.NameSetter;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.sql.SQLException;

/**
 * The database itself, an external dependent (like the java-operator-sdk mysql-schema sample's
 * schema): find it, connect, create login and database spectrum on a managed server, apply the
 * migrations once per schema version, write spec.dataRetention. Ready when the schema is.
 */
public class DatabaseDependent implements DependentResource<SpectrumState, Spectrum>, NameSetter {

    private String name = getClass().getSimpleName();

    @Override
    public void setName(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }


    @Override
    public ReconcileResult<SpectrumState> reconcile(Spectrum spectrum, Context<Spectrum> context) {
        SpectrumState state = SpectrumState.of(context);
        SpectrumDatabase database;
        try {
            database = SpectrumDatabase.of(spectrum, context.getClient(), Settings.addresses());
            state.database(database);
            database.bootstrap();
            try (var ignored = database.dataSource().getConnection()) {
                // reachable, with these credentials
            }
        } catch (SpectrumDatabase.Unavailable e) {
            state.unavailable(e);
            return ReconcileResult.noOperation(state);
        } catch (SQLException e) {
            state.unavailable(new SpectrumDatabase.Unavailable(Reasons.UNREACHABLE, "cannot connect to "
                    + (state.database() == null ? "the database" : state.database().describe()) + ": "
                    + DatabaseSetup.firstLine(e.getMessage())));
            return ReconcileResult.noOperation(state);
        }
        try {
            DatabaseSetup.Migrated migrated = DatabaseSetup.migrate(database.dataSource());
            state.migrated(migrated.version(), migrated.executed());
        } catch (DatabaseSetup.MigrationFailed e) {
            state.migrationFailed(e.getMessage());
            return ReconcileResult.noOperation(state);
        }
        try {
            var retention = spectrum.getSpec().getDataRetention();
            DefinitionDuration staging = DefinitionDuration.parse(retention == null || retention.getStaging() == null ? "7d"
                    : retention.getStaging());
            DefinitionDuration events = retention == null || retention.getEvents() == null ? null
                    : DefinitionDuration.parse(retention.getEvents());
            state.retentionWritten(DatabaseSetup.writeRetention(database.dataSource(), staging, events));
        } catch (SQLException e) {
            state.migrationFailed("cannot write spec.dataRetention into warehouse.settings: " + DatabaseSetup.firstLine(e.getMessage()));
        }
        return state.schemaReady() && state.migrationsExecuted() > 0 ? ReconcileResult.resourceUpdated(state)
                : ReconcileResult.noOperation(state);
    }

    @Override
    public Class<SpectrumState> resourceType() {
        return SpectrumState.class;
    }

    /** Ready: reachable and migrated. */
    public static class SchemaReady implements Condition<SpectrumState, Spectrum> {
        @Override
        public boolean isMet(DependentResource<SpectrumState, Spectrum> dependent, Spectrum spectrum, Context<Spectrum> context) {
            return SpectrumState.of(context).schemaReady();
        }
    }
}
