package dev.spectrum.operator.api;

import static dev.spectrum.operator.api.Fixture.WAIT;
import static dev.spectrum.operator.api.Fixture.condition;
import static dev.spectrum.operator.api.Fixture.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spectrum.definitions.files.DefinitionFiles;
import dev.spectrum.definitions.v1alpha1.Experiment;
import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.operator.spectrum.dependent.DashboardFiles;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import dev.spectrum.sql.ScramVerifier;
import dev.spectrum.sql.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator restarted, as when its pod is replaced: the running operator is stopped (its
 * informers and reconcile threads) and a new one is started against the same mock API server
 * (CRUD) and database — a new client, new reconciler instances, informers with empty caches
 * ({@link Fixture#startOperator}). Whatever the old one had done, the new one reaches the same end
 * state: the same objects under the same names (exactly one of each), the same content, no
 * password generated twice, and nothing rewritten that did not change (same resourceVersion).
 * The first restart stops the operator Quarkus started (which closes the client Quarkus injects:
 * the test talks to the server through a client of its own).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorRestartTest {

    @RegisterExtension
    static final TestDatabase definitionsDb = TestDatabase.empty();
    @RegisterExtension
    static final TestDatabase spectrumDb = TestDatabase.empty();

    static final String DEFINITIONS = "restart-definitions";
    static final String SPECTRUM = "restart-spectrum";

    /** The test's own client (stopping the first operator closes the injected one). */
    static KubernetesClient api;
    /** The operator running now, once the one Quarkus started is stopped. */
    static Operator running;

    @Inject
    KubernetesClient client;
    @Inject
    Operator quarkusOperator;
    @ConfigProperty(name = "spectrum.operator.refresh-image")
    String refreshImage;
    @ConfigProperty(name = "spectrum.operator.results-interval")
    Duration resultsInterval;
    @ConfigProperty(name = "spectrum.operator.retry-interval")
    Duration retry;

    @AfterAll
    static void stopAll() throws Exception {
        if (running != null) {
            running.stop();
        }
        if (api != null) {
            api.close();
        }
        Fixture.dropLogins(DEFINITIONS, "local");
        Fixture.dropLogins(SPECTRUM, "prod");
    }

    @Test
    void aDefinitionReconciledByANewOperatorChangesNothingAndDuplicatesNothing() throws Exception {
        KubernetesClient api = api();
        Fixture.namespace(api, DEFINITIONS);
        api.secrets().inNamespace(DEFINITIONS).resource(Fixture.externalSecret(DEFINITIONS, "pg", definitionsDb.name(), 5432)).create();
        api.resources(Spectrum.class).inNamespace(DEFINITIONS).resource(Fixture.external(DEFINITIONS, "local", "pg")).create();
        await().atMost(WAIT).untilAsserted(() -> {
            Fixture.playControllers(api, DEFINITIONS);
            Spectrum s = Fixture.get(api, DEFINITIONS, "local");
            assertThat(s.getStatus()).isNotNull();
            assertThat(condition(s.getStatus().getConditions(), "SchemaReady")).isEqualTo("True");
        });
        api.resources(Funnel.class).inNamespace(DEFINITIONS)
                .resource(Fixture.funnel(DEFINITIONS, "checkout", "local", "7d", "op_signup", "op_buy")).create();
        api.resources(Experiment.class).inNamespace(DEFINITIONS).resource((Experiment) DefinitionFiles.parse("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Experiment
                metadata: {name: trial, namespace: restart-definitions}
                spec:
                  spectrumRef: {name: local}
                  variants: [{name: control, weight: 1}, {name: treatment, weight: 1}]
                  metrics: [{name: bought, type: conversion, event: op_buy}]
                """).get(0)).create();
        awaitReady(Funnel.class, "checkout");
        awaitReady(Experiment.class, "trial");

        Map<String, HasMetadata> before = definitionObjects();
        assertThat(before.keySet()).containsExactly("funnel/checkout ConfigMap funnel-checkout-sql",
                "funnel/checkout CronJob funnel-checkout-refresh", "experiment/trial ConfigMap experiment-trial-sql",
                "experiment/trial CronJob experiment-trial-refresh");
        // reconciled again every results interval, an unchanged definition writes nothing
        Thread.sleep(3 * resultsInterval.toMillis());
        assertThat(versions(definitionObjects())).isEqualTo(versions(before));
        String funnelApplied = appliedAt("checkout");
        String experimentApplied = appliedAt("trial");
        String funnelHash = get(Funnel.class, "checkout").getStatus().getSqlHash();

        stopOperator();
        // as if the old operator had died between its writes: the Funnel's CronJob and the Experiment's ConfigMap are missing
        api.batch().v1().cronjobs().inNamespace(DEFINITIONS).withName("funnel-checkout-refresh").delete();
        api.configMaps().inNamespace(DEFINITIONS).withName("experiment-trial-sql").delete();
        await().atMost(WAIT).until(() -> definitionObjects().size() == 2);
        startOperator();

        await().atMost(WAIT).untilAsserted(() -> assertThat(definitionObjects().keySet()).isEqualTo(before.keySet()));
        Map<String, HasMetadata> recreated = definitionObjects();
        Thread.sleep(3 * resultsInterval.toMillis()); // a few reconciles by the new operator
        Map<String, HasMetadata> after = definitionObjects();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        assertThat(versions(after)).as("nothing rewritten once in place").isEqualTo(versions(recreated));
        for (String key : before.keySet()) {
            assertThat(content(after.get(key))).as(key).isEqualTo(content(before.get(key)));
        }
        // what the old operator left is untouched
        assertThat(version(after, "funnel/checkout ConfigMap funnel-checkout-sql"))
                .isEqualTo(version(before, "funnel/checkout ConfigMap funnel-checkout-sql"));
        assertThat(version(after, "experiment/trial CronJob experiment-trial-refresh"))
                .isEqualTo(version(before, "experiment/trial CronJob experiment-trial-refresh"));
        // the views are not applied again, and the status is the same
        assertThat(appliedAt("checkout")).isEqualTo(funnelApplied);
        assertThat(appliedAt("trial")).isEqualTo(experimentApplied);
        assertThat(definitionsDb.value("SELECT count(*) FROM warehouse.definitions", Long.class)).isEqualTo(2L);
        awaitReady(Funnel.class, "checkout");
        awaitReady(Experiment.class, "trial");
        assertThat(get(Funnel.class, "checkout").getStatus().getSqlHash()).isEqualTo(funnelHash);
    }

    @Test
    void aSpectrumRestartedMidReconcileEndsTheSameWithNothingDuplicated() throws Exception {
        KubernetesClient api = api();
        Fixture.namespace(api, SPECTRUM);
        api.secrets().inNamespace(SPECTRUM).resource(Fixture.externalSecret(SPECTRUM, "pg", spectrumDb.name(), 5432)).create();
        api.resources(Spectrum.class).inNamespace(SPECTRUM).resource(Fixture.external(SPECTRUM, "prod", "pg")).create();
        // mid-way: the logins are made and the ingest Deployment is there, but no ingest pod is available (not Ready)
        await().atMost(WAIT).until(() -> api.apps().deployments().inNamespace(SPECTRUM).withName("prod-ingest").get() != null);
        stopOperator();
        Spectrum stopped = Fixture.get(api, SPECTRUM, "prod");
        assertThat(stopped.getStatus() == null || !"True".equals(condition(stopped.getStatus().getConditions(), "Ready")))
                .as("stopped before the Spectrum was Ready").isTrue();
        Map<String, String> passwords = passwords();
        String writeKey = decode(api.secrets().inNamespace(SPECTRUM).withName("prod-write-keys").get(), "default");
        startOperator();

        awaitSpectrumReady();
        Map<String, HasMetadata> ready = spectrumObjects();
        assertThat(ready.keySet()).isEqualTo(expectedSpectrumObjects());
        assertThat(passwords()).as("no login got a second password").isEqualTo(passwords);
        assertThat(decode(api.secrets().inNamespace(SPECTRUM).withName("prod-write-keys").get(), "default")).isEqualTo(writeKey);
        assertLoginsMatchTheirSecrets();

        // converged, reconciled again every results interval: nothing is rewritten
        Thread.sleep(3 * resultsInterval.toMillis());
        Map<String, HasMetadata> settled = spectrumObjects();
        assertThat(versions(settled)).isEqualTo(versions(ready));

        // restarted again, the pipeline CronJob lost while no operator ran
        stopOperator();
        api.batch().v1().cronjobs().inNamespace(SPECTRUM).withName("prod-pipeline").delete();
        await().atMost(WAIT).until(() -> api.batch().v1().cronjobs().inNamespace(SPECTRUM).withName("prod-pipeline").get() == null);
        startOperator();
        await().atMost(WAIT).until(() -> api.batch().v1().cronjobs().inNamespace(SPECTRUM).withName("prod-pipeline").get() != null);
        Thread.sleep(3 * resultsInterval.toMillis());
        Map<String, HasMetadata> after = spectrumObjects();
        assertThat(after.keySet()).isEqualTo(settled.keySet());
        for (String key : settled.keySet()) {
            assertThat(content(after.get(key))).as(key).isEqualTo(content(settled.get(key)));
            if (!key.equals("CronJob prod-pipeline")) {
                assertThat(version(after, key)).as(key + " untouched").isEqualTo(version(settled, key));
            }
        }
        assertThat(passwords()).isEqualTo(passwords);
        assertLoginsMatchTheirSecrets();
        awaitSpectrumReady();
    }

    // ---- the operator

    KubernetesClient api() {
        if (api == null) {
            api = new KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
        }
        return api;
    }

    /** Stops the running operator: the one Quarkus started, the first time. */
    void stopOperator() {
        api();
        (running == null ? quarkusOperator : running).stop();
    }

    void startOperator() {
        running = Fixture.startOperator(api().getConfiguration(), refreshImage, resultsInterval, retry);
    }

    // ---- what is there

    <R extends CustomResource<?, ?>> R get(Class<R> type, String name) {
        return api().resources(type).inNamespace(DEFINITIONS).withName(name).get();
    }

    <R extends CustomResource<?, ? extends dev.spectrum.definitions.v1alpha1.DefinitionStatus>> void awaitReady(Class<R> type, String name) {
        await().atMost(WAIT).untilAsserted(() -> {
            R resource = get(type, name);
            assertThat(resource.getStatus()).isNotNull();
            assertThat(condition(resource.getStatus().getConditions(), "Ready")).isEqualTo("True");
        });
    }

    void awaitSpectrumReady() {
        await().atMost(WAIT).untilAsserted(() -> {
            Fixture.playControllers(api(), SPECTRUM);
            Spectrum s = Fixture.get(api(), SPECTRUM, "prod");
            assertThat(s.getStatus()).as("status").isNotNull();
            assertThat(condition(s.getStatus().getConditions(), "Ready")).as(s.getStatus().getConditions().toString()).isEqualTo("True");
        });
    }

    /** Every ConfigMap and CronJob a definition owns (by its label), as "kind/name Kind objectName". */
    Map<String, HasMetadata> definitionObjects() {
        Map<String, HasMetadata> objects = new LinkedHashMap<>();
        for (String kind : List.of("funnel", "experiment")) {
            Stream.<HasMetadata>concat(api().configMaps().inNamespace(DEFINITIONS).list().getItems().stream(),
                            api().batch().v1().cronjobs().inNamespace(DEFINITIONS).list().getItems().stream())
                    .filter(o -> o.getMetadata().getLabels() != null && o.getMetadata().getLabels().containsKey("spectrum.dev/" + kind))
                    .sorted((a, b) -> (a.getKind() + a.getMetadata().getName()).compareTo(b.getKind() + b.getMetadata().getName()))
                    .forEach(o -> objects.put(kind + "/" + o.getMetadata().getLabels().get("spectrum.dev/" + kind) + " " + o.getKind()
                            + " " + o.getMetadata().getName(), o));
        }
        return objects;
    }

    /** Every object the Spectrum prod is the instance of (by label), as "Kind name". */
    Map<String, HasMetadata> spectrumObjects() {
        var api = api();
        List<HasMetadata> all = new ArrayList<>();
        all.addAll(api.apps().deployments().inNamespace(SPECTRUM).withLabel("app.kubernetes.io/instance", "prod").list().getItems());
        all.addAll(api.apps().statefulSets().inNamespace(SPECTRUM).withLabel("app.kubernetes.io/instance", "prod").list().getItems());
        all.addAll(api.services().inNamespace(SPECTRUM).withLabel("app.kubernetes.io/instance", "prod").list().getItems());
        all.addAll(api.batch().v1().cronjobs().inNamespace(SPECTRUM).withLabel("app.kubernetes.io/instance", "prod").list().getItems());
        all.addAll(api.secrets().inNamespace(SPECTRUM).withLabel("app.kubernetes.io/instance", "prod").list().getItems());
        all.addAll(api.configMaps().inNamespace(SPECTRUM).withLabel("app.kubernetes.io/instance", "prod").list().getItems());
        all.addAll(api.autoscaling().v2().horizontalPodAutoscalers().inNamespace(SPECTRUM).withLabel("app.kubernetes.io/instance", "prod")
                .list().getItems());
        Map<String, HasMetadata> objects = new TreeMap<>();
        for (HasMetadata o : all) {
            assertThat(objects.put(o.getKind() + " " + o.getMetadata().getName(), o)).as("listed once").isNull();
        }
        return objects;
    }

    /** What an external Spectrum named prod has, with the defaults: one of each. */
    static Set<String> expectedSpectrumObjects() {
        SpectrumNames names = new SpectrumNames(SPECTRUM, "prod");
        Set<String> expected = new TreeSet<>(List.of("Deployment " + names.ingest(), "Service " + names.ingest(),
                "CronJob " + names.pipelineCronJob(), "Secret " + names.defaultWriteKeysSecret(), "Secret " + names.datasourceSecret()));
        for (SpectrumNames.Component component : SpectrumNames.Component.values()) {
            expected.add("Secret " + names.loginSecret(component));
        }
        for (String dashboard : DashboardFiles.all().keySet()) {
            expected.add("ConfigMap " + names.dashboardConfigMap(dashboard));
        }
        return expected;
    }

    Map<String, String> passwords() {
        Map<String, String> passwords = new TreeMap<>();
        for (SpectrumNames.Component component : SpectrumNames.Component.values()) {
            var secret = api().secrets().inNamespace(SPECTRUM).withName(new SpectrumNames(SPECTRUM, "prod").loginSecret(component)).get();
            passwords.put(component.id(), decode(secret, "password"));
        }
        return passwords;
    }

    /** Exactly the three logins on the server, each with the verifier of its Secret's password. */
    void assertLoginsMatchTheirSecrets() throws Exception {
        SpectrumNames names = new SpectrumNames(SPECTRUM, "prod");
        String hex = SpectrumNames.hash(SPECTRUM + "/prod").substring(0, 10);
        assertThat(spectrumDb.value("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'spectrum\\_%\\_" + hex + "'", Long.class))
                .isEqualTo(3L);
        for (SpectrumNames.Component component : SpectrumNames.Component.values()) {
            var secret = api().secrets().inNamespace(SPECTRUM).withName(names.loginSecret(component)).get();
            String stored = spectrumDb.value("SELECT rolpassword FROM pg_authid WHERE rolname = '" + names.login(component) + "'",
                    String.class);
            assertThat(stored).as(component.id()).startsWith("SCRAM-SHA-256$4096:");
            byte[] salt = Base64.getDecoder().decode(stored.substring(stored.indexOf(':') + 1, stored.indexOf('$', 14)));
            assertThat(ScramVerifier.compute(decode(secret, "password"), salt, 4096)).as(component.id()).isEqualTo(stored);
        }
    }

    String appliedAt(String name) throws Exception {
        return definitionsDb.value("SELECT applied_at::text FROM warehouse.definitions WHERE name = '" + name + "'", String.class);
    }

    static Map<String, String> versions(Map<String, HasMetadata> objects) {
        return objects.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getMetadata().getResourceVersion(),
                (a, b) -> a, TreeMap::new));
    }

    static String version(Map<String, HasMetadata> objects, String key) {
        assertThat(objects).containsKey(key);
        return objects.get(key).getMetadata().getResourceVersion();
    }

    /** An object without what the server and the bookkeeping add: its labels, owner references and body (no status). */
    @SuppressWarnings("unchecked")
    Map<String, Object> content(HasMetadata object) {
        Map<String, Object> body = new TreeMap<>(api().getKubernetesSerialization().convertValue(object, Map.class));
        Map<String, Object> metadata = (Map<String, Object>) body.remove("metadata");
        body.remove("status");
        body.put("labels", metadata.get("labels"));
        body.put("ownerReferences", metadata.get("ownerReferences"));
        return body;
    }
}
