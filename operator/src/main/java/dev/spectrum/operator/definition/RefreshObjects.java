package dev.spectrum.operator.definition;

import static dev.spectrum.definitions.sql.SqlText.literal;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Kubernetes objects a definition owns, built by pure functions: the ConfigMap that
 * publishes its generated SQL, and the CronJob that refreshes its view CONCURRENTLY. Credentials
 * reach the CronJob's container as environment variables from the Spectrum's pipeline login
 * Secret ({@code <s>-db-pipeline}, never the owner's), never in its command line.
 */
public final class RefreshObjects {

    /** The ConfigMap's keys: the generated SQL and its SHA-256 (the status's sqlHash). */
    public static final String SQL_KEY = "view.sql";
    public static final String SQL_HASH_KEY = "sha256";

    private RefreshObjects() {
    }

    /** funnel-checkout-sql (the kind as in YAML, Funnel, in lower case) */
    public static String configMapName(String kind, String name) {
        return dev.spectrum.operator.spectrum.model.SpectrumNames.definitionConfigMap(lower(kind), name);
    }

    /** funnel-checkout-refresh */
    public static String cronJobName(String kind, String name) {
        return dev.spectrum.operator.spectrum.model.SpectrumNames.definitionCronJob(lower(kind), name);
    }

    private static String lower(String kind) {
        return kind.toLowerCase(Locale.ROOT);
    }

    public static ConfigMap sqlConfigMap(HasMetadata owner, String kind, String sql, String sqlHash) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(configMapName(kind, owner.getMetadata().getName()))
                .withNamespace(owner.getMetadata().getNamespace())
                .withLabels(labels(owner, kind))
                .withOwnerReferences(ownerReference(owner))
                .endMetadata()
                .withData(Map.of(SQL_KEY, sql, SQL_HASH_KEY, sqlHash))
                .build();
    }

    public static CronJob refreshCronJob(HasMetadata owner, String kind, String viewName, String schedule, String secretName,
                                         String image) {
        return new CronJobBuilder()
                .withNewMetadata()
                .withName(cronJobName(kind, owner.getMetadata().getName()))
                .withNamespace(owner.getMetadata().getNamespace())
                .withLabels(labels(owner, kind))
                .withOwnerReferences(ownerReference(owner))
                .endMetadata()
                .withNewSpec()
                .withSchedule(schedule)
                .withConcurrencyPolicy("Forbid")
                .withSuccessfulJobsHistoryLimit(1)
                .withFailedJobsHistoryLimit(3)
                .withNewJobTemplate().withNewSpec()
                .withBackoffLimit(2)
                .withNewTemplate()
                .withNewMetadata().withLabels(labels(owner, kind)).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("refresh")
                .withImage(image)
                .withCommand("psql", "-v", "ON_ERROR_STOP=1", "-c",
                        "SELECT warehouse.refresh_view(" + literal(viewName) + ")")
                .withEnv(credentials(secretName))
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec().endJobTemplate()
                .endSpec()
                .build();
    }

    private static List<EnvVar> credentials(String secretName) {
        return List.of(
                fromSecret("PGHOST", secretName, "host", false),
                fromSecret("PGPORT", secretName, "port", true),
                fromSecret("PGDATABASE", secretName, "database", false),
                fromSecret("PGUSER", secretName, "username", false),
                fromSecret("PGPASSWORD", secretName, "password", false),
                fromSecret("PGSSLMODE", secretName, "sslmode", true));
    }

    private static EnvVar fromSecret(String variable, String secretName, String key, boolean optional) {
        return new EnvVarBuilder().withName(variable).withNewValueFrom().withNewSecretKeyRef()
                .withName(secretName).withKey(key).withOptional(optional ? Boolean.TRUE : null)
                .endSecretKeyRef().endValueFrom().build();
    }

    private static Map<String, String> labels(HasMetadata owner, String kind) {
        return Map.of("app.kubernetes.io/managed-by", "spectrum-operator",
                "spectrum.dev/" + lower(kind), owner.getMetadata().getName());
    }

    private static OwnerReference ownerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }
}
