package dev.spectrum.operator.unit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spectrum.definitions.v1alpha1.LocalSecretReference;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumSpec;
import dev.spectrum.operator.definition.RefreshObjects;
import dev.spectrum.operator.spectrum.dependent.SpectrumSecrets;
import dev.spectrum.operator.spectrum.model.CloudNativePGCluster;
import dev.spectrum.operator.spectrum.model.Connection;
import dev.spectrum.operator.spectrum.model.DashboardModel;
import dev.spectrum.operator.spectrum.model.DatabaseModel;
import dev.spectrum.operator.spectrum.model.IngestModel;
import dev.spectrum.operator.spectrum.model.Labels;
import dev.spectrum.operator.spectrum.model.PipelineModel;
import dev.spectrum.operator.spectrum.model.SecretModel;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure builders of a Spectrum's objects, without Kubernetes: the expected fields written out. */
class SpectrumModelTest {

    static final String PASSWORD = "Sup3rSecretPassw0rdNobodyMaySee1";
    static final String FORTY = "a234567890123456789012345678901234567890";

    static Spectrum spectrum(String name, String kind) {
        Spectrum s = new Spectrum();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").withUid("uid-1").build());
        var spec = new SpectrumSpec();
        var database = new SpectrumSpec.Database();
        switch (kind) {
            case "managed" -> database.setManaged(new SpectrumSpec.Managed());
            case "cnpg" -> {
                var cnpg = new SpectrumSpec.CloudNativePG();
                cnpg.setInstances(3);
                cnpg.setStorage("100Gi");
                database.setCloudNativePG(cnpg);
            }
            default -> {
                var external = new SpectrumSpec.External();
                external.setSecretRef(new LocalSecretReference("pg"));
                database.setExternal(external);
            }
        }
        spec.setDatabase(database);
        s.setSpec(spec);
        return s;
    }

    @Test
    void theSharedSecretInformerMapsEachSecretToTheSpectrumItsInstanceLabelNames() {
        Spectrum s = spectrum("prod", "managed");
        // retained data (no owner reference) and owned Secrets alike
        Secret retained = SecretModel.superuser(s, PASSWORD, true);
        assertThat(retained.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(SpectrumSecrets.owner(retained)).containsExactly(new ResourceID("prod", "shop"));
        Secret owned = SecretModel.writeKeys(s, "prod-write-keys", "k", false);
        assertThat(owned.getMetadata().getOwnerReferences()).isNotEmpty();
        assertThat(SpectrumSecrets.owner(owned)).containsExactly(new ResourceID("prod", "shop"));
        Secret unlabelled = new Secret();
        unlabelled.setMetadata(new ObjectMetaBuilder().withName("x").withNamespace("shop").build());
        assertThat(SpectrumSecrets.owner(unlabelled)).isEmpty();
    }

    @Test
    void everyNameOfAFortyCharacterSpectrumIsWithinItsLimitAndStable() {
        var names = new SpectrumNames("shop", FORTY);
        List<String> names63 = List.of(names.database(), names.superuserSecret(), names.ownerSecret(), names.ingest(),
                names.loginSecret(SpectrumNames.Component.INGEST), names.loginSecret(SpectrumNames.Component.PIPELINE),
                names.loginSecret(SpectrumNames.Component.READER), names.defaultWriteKeysSecret(), names.datasourceSecret(),
                names.dashboardConfigMap("overview-and-some-long-dashboard-name"),
                SpectrumNames.definitionConfigMap("experiment", FORTY));
        assertThat(names63).allSatisfy(n -> assertThat(n).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"));
        assertThat(names.pipelineCronJob()).hasSizeLessThanOrEqualTo(52);
        assertThat(SpectrumNames.definitionCronJob("experiment", FORTY)).hasSizeLessThanOrEqualTo(52);
        // within the limit: the name itself; over it: prefix, '-', 5 hex of sha256 of the whole name
        assertThat(names.ingest()).isEqualTo(FORTY + "-ingest");
        String full = FORTY + "-dashboard-overview-and-some-long-dashboard-name";
        assertThat(names.dashboardConfigMap("overview-and-some-long-dashboard-name"))
                .isEqualTo(full.substring(0, 57) + "-" + SpectrumNames.hash(full).substring(0, 5));
        String cron = "experiment-" + FORTY + "-refresh";
        assertThat(SpectrumNames.definitionCronJob("experiment", FORTY)).startsWith(cron.substring(0, 46)).hasSize(52);
        assertThat(new SpectrumNames("shop", "prod").pipelineCronJob()).isEqualTo("prod-pipeline");
    }

    @Test
    void loginsAreUniquePerNamespaceAndNameAndFitPostgresIdentifiers() {
        var prod = new SpectrumNames("shop", "prod");
        // sha256("shop/prod"), first 10 hex
        String hex = SpectrumNames.hash("shop/prod").substring(0, 10);
        assertThat(prod.login(SpectrumNames.Component.INGEST)).isEqualTo("spectrum_ingest_" + hex);
        assertThat(prod.login(SpectrumNames.Component.READER)).isEqualTo("spectrum_reader_" + hex);
        assertThat(new SpectrumNames("other", "prod").login(SpectrumNames.Component.INGEST)).isNotEqualTo(prod.login(SpectrumNames.Component.INGEST));
        assertThat(new SpectrumNames("shop", FORTY).login(SpectrumNames.Component.PIPELINE)).hasSizeLessThanOrEqualTo(63);
        assertThat(prod.datasourceUid()).isEqualTo("spx-" + SpectrumNames.hash("shop/prod").substring(0, 12));
        assertThat(prod.datasourceName()).isEqualTo("Spectrum shop/prod");
        assertThat(prod.ingestEndpoint()).isEqualTo("http://prod-ingest.shop.svc");
    }

    @Test
    void theIngestDeploymentTakesCredentialsFromSecretsAndKeysFromFiles() throws Exception {
        Spectrum s = spectrum("prod", "external");
        var ingest = new SpectrumSpec.Ingest();
        ingest.setReplicas(3);
        ingest.setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("250m")).build());
        s.getSpec().setIngest(ingest);
        var deployment = IngestModel.deployment(s, "spectrum:0.1.0", "prod-write-keys", "abc123");

        assertOwned(deployment, "prod-ingest", "ingest");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).containsOnly(
                Map.entry("app.kubernetes.io/name", "spectrum"), Map.entry("app.kubernetes.io/instance", "prod"),
                Map.entry("app.kubernetes.io/component", "ingest"));
        var pod = deployment.getSpec().getTemplate();
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("spectrum.dev/secrets-hash", "abc123");
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("spectrum:0.1.0");
        // the ingest service alone (the image's default command, serve, would also run the pipeline)
        assertThat(c.getCommand()).containsExactly("java", "-XX:+ExitOnOutOfMemoryError", "-XX:MaxRAMPercentage=75.0",
                "-jar", "/opt/spectrum/ingest/target/quarkus-app/quarkus-run.jar");
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("250m"));
        assertThat(env(c, "SPECTRUM_DB_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("prod-db-ingest");
        assertThat(env(c, "SPECTRUM_DB_PASSWORD").getValue()).isNull();
        assertThat(env(c, "SPECTRUM_DB_USER").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("username");
        assertThat(env(c, "SPECTRUM_DB_URL").getValue())
                .isEqualTo("jdbc:postgresql://$(SPECTRUM_DB_HOST):$(SPECTRUM_DB_PORT)/$(SPECTRUM_DB_NAME)?sslmode=$(SPECTRUM_DB_SSLMODE)");
        assertThat(env(c, "SPECTRUM_WRITE_KEYS_DIR").getValue()).isEqualTo("/etc/spectrum/write-keys");
        assertThat(c.getEnv()).noneMatch(e -> e.getName().equals("SPECTRUM_WRITE_KEYS"));
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/etc/spectrum/write-keys");
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("prod-write-keys"));
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");

        var service = IngestModel.service(s);
        assertOwned(service, "prod-ingest", "ingest");
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(80);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
        });
        assertThat(c.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
    }

    @Test
    void withAnAutoscalerTheDeploymentHasNoReplicas() {
        Spectrum s = spectrum("prod", "external");
        var ingest = new SpectrumSpec.Ingest();
        ingest.setReplicas(5);
        var autoscaling = new SpectrumSpec.Autoscaling();
        autoscaling.setMinReplicas(2);
        autoscaling.setMaxReplicas(10);
        ingest.setAutoscaling(autoscaling);
        s.getSpec().setIngest(ingest);
        assertThat(IngestModel.deployment(s, "img", "k", "h").getSpec().getReplicas()).isNull();
        var hpa = IngestModel.autoscaler(s);
        assertOwned(hpa, "prod-ingest", "ingest");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("prod-ingest");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization()).isEqualTo(70);
        // without autoscaling: replicas default 2
        assertThat(IngestModel.deployment(spectrum("prod", "external"), "img", "k", "h").getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void thePipelineCronJobRunsThePipelineAsThePipelineLogin() {
        var cronJob = PipelineModel.cronJob(spectrum("prod", "external"), "postgres:16-alpine");
        assertOwned(cronJob, "prod-pipeline", "pipeline");
        assertThat(cronJob.getSpec().getSchedule()).isEqualTo("*/5 * * * *");
        assertThat(cronJob.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        assertThat(cronJob.getSpec().getTimeZone()).isEqualTo("Etc/UTC");
        assertThat(cronJob.getSpec().getStartingDeadlineSeconds()).isEqualTo(240L);
        Container c = cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("postgres:16-alpine");
        assertThat(c.getCommand()).containsExactly("psql", "-v", "ON_ERROR_STOP=1", "-X", "-c", "CALL warehouse.run_pipeline()");
        assertThat(c.getEnv()).extracting(EnvVar::getName).containsExactly("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE");
        assertThat(c.getEnv()).allSatisfy(e -> {
            assertThat(e.getValue()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("prod-db-pipeline");
        });
    }

    @Test
    void loginSecretsCarryTheExternalKeysAndTheDatasourceIsForTheReader() {
        Spectrum s = spectrum("prod", "external");
        var connection = new Connection("pg.example", 6432, "analytics", null);
        Secret login = SecretModel.login(s, SpectrumNames.Component.READER, connection, PASSWORD);
        assertOwned(login, "prod-db-reader", "database");
        String hex = SpectrumNames.hash("shop/prod").substring(0, 10);
        assertThat(decoded(login)).containsExactly(Map.entry("host", "pg.example"), Map.entry("port", "6432"),
                Map.entry("database", "analytics"), Map.entry("username", "spectrum_reader_" + hex),
                Map.entry("password", PASSWORD), Map.entry("sslmode", "prefer"));

        Secret datasource = SecretModel.datasource(s, connection, PASSWORD);
        assertOwned(datasource, "prod-grafana-datasource", "grafana");
        assertThat(datasource.getMetadata().getLabels()).containsEntry("grafana_datasource", "1");
        String yaml = decoded(datasource).get("spectrum-shop-prod.yaml");
        assertThat(yaml).contains("  - name: \"Spectrum shop/prod\"\n", "    uid: spx-" + SpectrumNames.hash("shop/prod").substring(0, 12) + "\n",
                "    type: grafana-postgresql-datasource\n", "    url: \"pg.example:6432\"\n", "    user: \"spectrum_reader_" + hex + "\"\n",
                "      database: \"analytics\"\n", "      password: \"" + PASSWORD + "\"\n");
        // a hostile value cannot break out of its YAML line
        String hostile = SecretModel.datasource(s, new Connection("h\"\n  evil: 1", 1, "d", null), "p").getData().values().iterator().next();
        assertThat(new String(Base64.getDecoder().decode(hostile), StandardCharsets.UTF_8)).contains("url: \"h\\\"\\n  evil: 1:1\"");
    }

    @Test
    void retainedDataHasNoOwnerReferenceAndDeleteGivesItOne() {
        Spectrum retain = spectrum("prod", "managed");
        assertThat(SecretModel.superuser(retain, PASSWORD, DatabaseModel.retain(retain)).getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(SecretModel.writeKeys(retain, "prod-write-keys", "k", true).getMetadata().getOwnerReferences()).isNullOrEmpty();
        var statefulSet = DatabaseModel.statefulSet(retain);
        assertOwned(statefulSet, "prod-db", "database");
        assertThat(statefulSet.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(pvc -> {
            assertThat(pvc.getMetadata().getName()).isEqualTo("data");
            assertThat(pvc.getMetadata().getOwnerReferences()).isNullOrEmpty();
            assertThat(pvc.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("20Gi"));
        });
        Container postgres = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(postgres.getImage()).isEqualTo("postgres:16");
        assertThat(env(postgres, "PGDATA").getValue()).isEqualTo("/var/lib/postgresql/data/pgdata");
        assertThat(env(postgres, "POSTGRES_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("prod-db-superuser");
        assertThat(postgres.getReadinessProbe().getExec().getCommand()).startsWith("pg_isready");
        assertThat(DatabaseModel.service(retain).getSpec().getPorts().get(0).getPort()).isEqualTo(5432);

        Spectrum delete = spectrum("prod", "managed");
        delete.getSpec().getDatabase().setDeletionPolicy(SpectrumSpec.DeletionPolicy.Delete);
        assertThat(SecretModel.superuser(delete, PASSWORD, DatabaseModel.retain(delete)).getMetadata().getOwnerReferences()).hasSize(1);
        assertThat(DatabaseModel.statefulSet(delete).getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Delete");
    }

    @Test
    void theCloudNativePGClusterBootstrapsDatabaseSpectrumOwnedBySpectrum() throws Exception {
        Spectrum s = spectrum("prod", "cnpg");
        CloudNativePGCluster cluster = DatabaseModel.cluster(s);
        assertThat(cluster.getApiVersion()).isEqualTo("postgresql.cnpg.io/v1");
        assertThat(cluster.getKind()).isEqualTo("Cluster");
        assertThat(cluster.getMetadata().getName()).isEqualTo("prod-db");
        assertThat(cluster.getMetadata().getOwnerReferences()).isNullOrEmpty(); // Retain
        String json = new ObjectMapper().writeValueAsString(cluster.getSpec());
        assertThat(json).isEqualTo("{\"instances\":3,\"storage\":{\"size\":\"100Gi\"},\"bootstrap\":{\"initdb\":{\"database\":\"spectrum\","
                + "\"owner\":\"spectrum\",\"secret\":{\"name\":\"prod-db-owner\"},\"postInitSQL\":[\"ALTER ROLE spectrum CREATEROLE\"]}}}");
        Secret owner = SecretModel.owner(s, PASSWORD, true);
        assertThat(owner.getType()).isEqualTo("kubernetes.io/basic-auth");
        assertThat(decoded(owner)).containsEntry("username", "spectrum").containsEntry("host", "prod-db-rw.shop.svc")
                .containsEntry("port", "5432").containsEntry("database", "spectrum");
        // fields CloudNativePG fills in survive a read and a write
        var read = new ObjectMapper().readValue("{\"instances\":3,\"imageName\":\"x\",\"storage\":{\"size\":\"1Gi\"}}",
                CloudNativePGCluster.Spec.class);
        assertThat(new ObjectMapper().writeValueAsString(read)).contains("\"imageName\":\"x\"");
    }

    @Test
    void dashboardsAreConfigMapsLabelledForGrafana() {
        var configMap = DashboardModel.configMap(spectrum("prod", "external"), "overview", "{\"title\": \"Overview\"}\n");
        assertOwned(configMap, "prod-dashboard-overview", "grafana");
        assertThat(configMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(configMap.getData()).containsExactly(Map.entry("overview.json", "{\"title\": \"Overview\"}\n"));
    }

    @Test
    void noBuiltObjectContainsASecretValueOutsideItsSecret() throws Exception {
        Spectrum s = spectrum("prod", "managed");
        var mapper = new ObjectMapper();
        List<HasMetadata> objects = List.of(IngestModel.deployment(s, "img", "keys", SecretModel.contentHash(
                        SecretModel.login(s, SpectrumNames.Component.INGEST, new Connection("h", 5432, "d", null), PASSWORD))),
                IngestModel.service(s), PipelineModel.cronJob(s, "psql"), DatabaseModel.statefulSet(s), DatabaseModel.service(s),
                RefreshObjects.refreshCronJob(s, "funnel", "funnel_x", "*/5 * * * *", "prod-db-pipeline", "psql"));
        for (HasMetadata object : objects) {
            assertThat(mapper.writeValueAsString(object)).doesNotContain(PASSWORD)
                    .doesNotContain(Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void theRefreshCronJobLogsInWithThePipelineLogin() {
        var cronJob = RefreshObjects.refreshCronJob(spectrum("prod", "external"), "funnel", "funnel_checkout", "*/5 * * * *",
                new SpectrumNames("shop", "prod").loginSecret(SpectrumNames.Component.PIPELINE), "postgres:16-alpine");
        assertThat(cronJob.getMetadata().getName()).isEqualTo("funnel-prod-refresh");
        Container c = cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(c, "PGPASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("prod-db-pipeline");
        assertThat(String.join(" ", c.getCommand())).contains("warehouse.refresh_view(E'funnel_checkout')");
        assertThat(RefreshObjects.sqlConfigMap(spectrum("prod", "external"), "funnel", "SELECT 1", "h").getData())
                .containsEntry("view.sql", "SELECT 1");
    }

    static void assertOwned(HasMetadata object, String name, String component) {
        assertThat(object.getMetadata().getName()).isEqualTo(name);
        assertThat(object.getMetadata().getNamespace()).isEqualTo("shop");
        assertThat(object.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "spectrum")
                .containsEntry("app.kubernetes.io/instance", "prod").containsEntry("app.kubernetes.io/component", component)
                .containsEntry("app.kubernetes.io/part-of", "spectrum").containsEntry(Labels.MANAGED_BY, "spectrum-operator");
        assertThat(object.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Spectrum");
            assertThat(o.getName()).isEqualTo("prod");
            assertThat(o.getUid()).isEqualTo("uid-1");
            assertThat(o.getController()).isTrue();
        });
    }

    static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
    }

    static Map<String, String> decoded(Secret secret) {
        var out = new java.util.LinkedHashMap<String, String>();
        secret.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return out;
    }
}
