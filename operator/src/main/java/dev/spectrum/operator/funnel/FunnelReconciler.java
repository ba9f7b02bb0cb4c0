package dev.spectrum.operator.funnel;

import dev.spectrum.definitions.Definition;
import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.definitions.v1alpha1.FunnelStatus;
import dev.spectrum.definitions.kind.DefinitionKind;
import dev.spectrum.definitions.v1alpha1.FunnelSpec;
import dev.spectrum.operator.definition.DefinitionReconciler;
import dev.spectrum.operator.definition.LastRefresh;
import dev.spectrum.operator.definition.dependent.RefreshCronJobDependent;
import dev.spectrum.operator.definition.dependent.SqlConfigMapDependent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Funnels: the shared definition lifecycle, with the total row's steps in the status. */
@ControllerConfiguration(name = "funnel")
@Workflow(explicitInvocation = true, handleExceptionsInReconciler = true, dependents = {
        @Dependent(name = "sql-configmap", type = SqlConfigMapDependent.ForFunnel.class),
        @Dependent(name = "refresh-cronjob", type = RefreshCronJobDependent.ForFunnel.class),
})
@RBACRule(apiGroups = "spectrum.dev", resources = "spectrums", verbs = "get")
@RBACRule(apiGroups = "", resources = "secrets", verbs = "get")
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
public class FunnelReconciler extends DefinitionReconciler<Funnel, FunnelSpec, FunnelStatus> {

    /** For CDI's client proxies only. */
    protected FunnelReconciler() {
    }

    @jakarta.inject.Inject
    public FunnelReconciler(KubernetesClient client,
                            @ConfigProperty(name = "spectrum.operator.refresh-image", defaultValue = "postgres:16-alpine") String refreshImage,
                            @ConfigProperty(name = "spectrum.operator.results-interval", defaultValue = "60s") Duration resultsInterval,
                            @ConfigProperty(name = "spectrum.operator.retry-interval", defaultValue = "30s") Duration retry) {
        super(client, refreshImage, resultsInterval, retry);
    }

    @Override
    protected DefinitionKind kind() {
        return DefinitionKind.FUNNEL;
    }

    @Override
    protected FunnelStatus newStatus() {
        return new FunnelStatus();
    }

    /** The total row's steps (when there is no breakdown) and the last refresh time. */
    @Override
    protected void readResults(Funnel funnel, DataSource dataSource, Definition definition) throws SQLException {
        FunnelStatus status = funnel.getStatus();
        try (Connection c = dataSource.getConnection()) {
            if (funnel.getSpec().getBreakdown() == null) {
                List<FunnelStatus.StepResult> steps = new ArrayList<>();
                try (var q = c.prepareStatement("SELECT step_name, persons, conversion_rate FROM analytics.mv_conversion_funnels"
                        + " WHERE funnel = ? AND granularity = 'total' AND breakdown = '' ORDER BY step")) {
                    q.setString(1, definition.name());
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            steps.add(new FunnelStatus.StepResult(rs.getString(1), rs.getLong(2), (Double) rs.getObject(3)));
                        }
                    }
                }
                status.setSteps(steps);
                status.setOverallConversion(steps.isEmpty() ? null : steps.get(steps.size() - 1).conversionRate());
            }
            status.setLastRefreshTime(LastRefresh.of(c, definition.viewName()));
        }
    }
}
