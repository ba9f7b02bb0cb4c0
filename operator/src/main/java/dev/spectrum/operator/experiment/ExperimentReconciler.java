package dev.spectrum.operator.experiment;

import dev.spectrum.definitions.Definition;
import dev.spectrum.definitions.experiment.ExperimentDefinition;
import dev.spectrum.definitions.v1alpha1.Experiment;
import dev.spectrum.definitions.v1alpha1.ExperimentStatus;
import dev.spectrum.definitions.kind.DefinitionKind;
import dev.spectrum.definitions.v1alpha1.ExperimentSpec;
import dev.spectrum.operator.common.Conditions;
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

/**
 * Experiments: the shared definition lifecycle, with srmPValue, the results per treatment x
 * metric, the primary metric's lift and p-value, and SampleRatioMismatch in the status.
 */
@ControllerConfiguration(name = "experiment")
@Workflow(explicitInvocation = true, handleExceptionsInReconciler = true, dependents = {
        @Dependent(name = "sql-configmap", type = SqlConfigMapDependent.ForExperiment.class),
        @Dependent(name = "refresh-cronjob", type = RefreshCronJobDependent.ForExperiment.class),
})
@RBACRule(apiGroups = "spectrum.dev", resources = "spectrums", verbs = "get")
@RBACRule(apiGroups = "", resources = "secrets", verbs = "get")
@RBACRule(apiGroups = "", resources = "events", verbs = "create")
public class ExperimentReconciler extends DefinitionReconciler<Experiment, ExperimentSpec, ExperimentStatus> {

    static final double SRM_THRESHOLD = 0.001;

    /** For CDI's client proxies only. */
    protected ExperimentReconciler() {
    }

    @jakarta.inject.Inject
    public ExperimentReconciler(KubernetesClient client,
                                @ConfigProperty(name = "spectrum.operator.refresh-image", defaultValue = "postgres:16-alpine") String refreshImage,
                                @ConfigProperty(name = "spectrum.operator.results-interval", defaultValue = "60s") Duration resultsInterval,
                            @ConfigProperty(name = "spectrum.operator.retry-interval", defaultValue = "30s") Duration retry) {
        super(client, refreshImage, resultsInterval, retry);
    }

    @Override
    protected DefinitionKind kind() {
        return DefinitionKind.EXPERIMENT;
    }

    @Override
    protected ExperimentStatus newStatus() {
        return new ExperimentStatus();
    }

    @Override
    protected void readResults(Experiment experiment, DataSource dataSource, Definition definition) throws SQLException {
        ExperimentStatus status = experiment.getStatus();
        ExperimentDefinition x = (ExperimentDefinition) definition;
        String primary = x.metrics().get(0).name();
        List<ExperimentStatus.Result> results = new ArrayList<>();
        Double srm = null;
        long persons = 0;
        try (Connection c = dataSource.getConnection()) {
            try (var q = c.prepareStatement("SELECT metric, variant, is_control, persons, rel_lift, rel_lift_ci_low,"
                    + " rel_lift_ci_high, p_value, chance_to_beat_control, srm_p_value FROM analytics.mv_experiment_results"
                    + " WHERE experiment = ?")) {
                q.setString(1, x.name());
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        srm = (Double) rs.getObject("srm_p_value");
                        if (rs.getString("metric").equals(primary)) {
                            persons += rs.getLong("persons");
                        }
                        if (!rs.getBoolean("is_control")) {
                            results.add(new ExperimentStatus.Result(rs.getString("metric"), rs.getString("variant"),
                                    (Double) rs.getObject("rel_lift"), (Double) rs.getObject("rel_lift_ci_low"),
                                    (Double) rs.getObject("rel_lift_ci_high"), (Double) rs.getObject("p_value"),
                                    (Double) rs.getObject("chance_to_beat_control")));
                        }
                    }
                }
            }
            status.setLastRefreshTime(LastRefresh.of(c, definition.viewName()));
        }
        status.setResults(results);
        status.setSrmPValue(srm);
        status.setPersons(persons);
        var first = results.stream().filter(r -> r.metric().equals(primary)).findFirst();
        status.setPrimaryLift(first.map(ExperimentStatus.Result::relLift).orElse(null));
        status.setPrimaryPValue(first.map(ExperimentStatus.Result::pValue).orElse(null));
        Long generation = experiment.getMetadata().getGeneration();
        if (srm == null) {
            Conditions.set(status.getConditions(), "SampleRatioMismatch", "Unknown", "NoExposures", "nobody is assigned yet", generation);
        } else if (srm < SRM_THRESHOLD) {
            Conditions.set(status.getConditions(), "SampleRatioMismatch", true, "RatioMismatch", String.format(
                    "the persons per variant do not match the weights (p = %.2g < 0.001): check assignment before trusting results", srm),
                    generation);
        } else {
            Conditions.set(status.getConditions(), "SampleRatioMismatch", false, "RatioAsIntended",
                    String.format("the persons per variant match the weights (p = %.3g)", srm), generation);
        }
    }
}
