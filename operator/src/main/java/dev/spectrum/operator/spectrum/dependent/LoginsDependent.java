package dev.spectrum.operator.spectrum.dependent;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.spectrum.state.SpectrumState;
import dev.spectrum.operator.spectrum.database.DatabaseSetup;
import dev.spectrum.operator.spectrum.model.SecretModel;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.NameSetter;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.sql.SQLException;

/**
 * The three component logins on the database server (external dependent): each created when
 * missing, given the password of its Secret as a SCRAM verifier, a member of its role only.
 */
public class LoginsDependent implements DependentResource<SpectrumState, Spectrum>, NameSetter {

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
        SpectrumNames names = new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName());
        boolean changed = false;
        try {
            for (SpectrumNames.Component component : SpectrumNames.Component.values()) {
                Secret secret = context.getClient().secrets().inNamespace(names.namespace()).withName(names.loginSecret(component)).get();
                String password = SecretModel.value(secret, "password");
                if (password == null) {
                    state.logins(false, "the Secret " + names.loginSecret(component) + " is not there yet");
                    return ReconcileResult.noOperation(state);
                }
                changed |= DatabaseSetup.ensureLogin(state.database().dataSource(), names.login(component), component.role(), password);
            }
            state.logins(true, null);
        } catch (SQLException e) {
            state.logins(false, "cannot set up the component logins: " + DatabaseSetup.firstLine(e.getMessage()));
        }
        return changed ? ReconcileResult.resourceUpdated(state) : ReconcileResult.noOperation(state);
    }

    @Override
    public Class<SpectrumState> resourceType() {
        return SpectrumState.class;
    }

    public static class LoginsReady implements Condition<SpectrumState, Spectrum> {
        @Override
        public boolean isMet(DependentResource<SpectrumState, Spectrum> dependent, Spectrum spectrum, Context<Spectrum> context) {
            return SpectrumState.of(context).loginsReady();
        }
    }
}
