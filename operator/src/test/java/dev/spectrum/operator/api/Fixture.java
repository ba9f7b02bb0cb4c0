package dev.spectrum.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.definitions.v1alpha1.FunnelSpec;
import dev.spectrum.definitions.v1alpha1.FunnelStep;
import dev.spectrum.definitions.v1alpha1.LocalSecretReference;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumRef;
import dev.spectrum.definitions.v1alpha1.SpectrumSpec;
import dev.spectrum.operator.experiment.ExperimentReconciler;
import dev.spectrum.operator.funnel.FunnelReconciler;
import dev.spectrum.operator.spectrum.SpectrumReconciler;
import dev.spectrum.operator.spectrum.model.CloudNativePGCluster;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import dev.spectrum.sql.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What the operator tests share: a namespace of their own, Secrets and resources to create,
 * {@link #playControllers} — the controllers the mock API server lacks (it writes the status a
 * Deployment, StatefulSet or CloudNativePG Cluster controller would) — and {@link #startOperator},
 * a second operator process in all but name, for restarts.
 */
final class Fixture {

    static final Duration WAIT = Duration.ofSeconds(90);

    private Fixture() {
    }

    static void namespace(KubernetesClient client, String namespace) {
        if (client.namespaces().withName(namespace).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        }
    }

    static Secret externalSecret(String namespace, String name, String database, int port) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withData(Map.of("host", b64("localhost"), "port", b64(String.valueOf(port)), "database", b64(database),
                        "username", b64(TestDatabase.user()), "password", b64(TestDatabase.password().isEmpty() ? "secret-pw"
                                : TestDatabase.password())))
                .build();
    }

    static Spectrum external(String namespace, String name, String secret) {
        Spectrum s = blank(namespace, name);
        var external = new SpectrumSpec.External();
        external.setSecretRef(new LocalSecretReference(secret));
        s.getSpec().getDatabase().setExternal(external);
        return s;
    }

    static Spectrum blank(String namespace, String name) {
        Spectrum s = new Spectrum();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        var spec = new SpectrumSpec();
        spec.setDatabase(new SpectrumSpec.Database());
        s.setSpec(spec);
        return s;
    }

    static Funnel funnel(String namespace, String name, String spectrum, String window, String first, String second) {
        Funnel f = new Funnel();
        f.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        var spec = new FunnelSpec();
        spec.setSpectrumRef(new SpectrumRef(spectrum));
        spec.setWindow(window);
        spec.setSteps(new ArrayList<>(List.of(new FunnelStep(first), new FunnelStep(second))));
        f.setSpec(spec);
        return f;
    }

    static Spectrum get(KubernetesClient client, String namespace, String name) {
        return client.resources(Spectrum.class).inNamespace(namespace).withName(name).get();
    }

    static String condition(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> c.getType().equals(type)).map(Condition::getStatus).findFirst().orElse(null);
    }

    static Condition conditionOf(Spectrum s, String type) {
        return s.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    /** Plays the Deployment, StatefulSet and CloudNativePG controllers: everything the operator made in the namespace is up. */
    static void playControllers(KubernetesClient client, String namespace) {
        for (var d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
            int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            if (d.getStatus() == null || d.getStatus().getAvailableReplicas() == null || d.getStatus().getAvailableReplicas() != replicas) {
                d.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withAvailableReplicas(replicas).withReadyReplicas(replicas)
                        .withObservedGeneration(d.getMetadata().getGeneration()).build());
                client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
            }
        }
        for (var s : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
            if (s.getStatus() == null || s.getStatus().getReadyReplicas() == null) {
                s.setStatus(new StatefulSetStatusBuilder().withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).build());
                client.apps().statefulSets().inNamespace(namespace).resource(s).updateStatus();
            }
        }
        if (client.apiextensions().v1().customResourceDefinitions().withName(CloudNativePGCluster.CRD).get() != null) {
            for (var c : client.resources(CloudNativePGCluster.class).inNamespace(namespace).list().getItems()) {
                if (!c.ready()) {
                    var status = new CloudNativePGCluster.Status();
                    status.setInstances(c.getSpec().getInstances());
                    status.setReadyInstances(c.getSpec().getInstances());
                    status.setPhase("Cluster in healthy state");
                    status.setConditions(List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType("Ready").withStatus("True")
                            .withReason("ClusterIsReady").withMessage("Cluster is Ready").withLastTransitionTime("2026-01-01T00:00:00Z").build()));
                    c.setStatus(status);
                    client.resources(CloudNativePGCluster.class).inNamespace(namespace).resource(c).updateStatus();
                }
            }
        }
    }

    /**
     * A new operator against the same API server, as a restarted pod would be: its own client, new
     * reconciler instances, new informers with empty caches. Plain java-operator-sdk reading the
     * reconcilers' annotations (the same ones quarkus-operator-sdk reads at build), with the test
     * profile's settings (no server-side apply: the mock server does not accept it).
     */
    static Operator startOperator(Config api, String refreshImage, Duration resultsInterval, Duration retry) {
        KubernetesClient client = new KubernetesClientBuilder().withConfig(api).build();
        Operator operator = new Operator(o -> o.withKubernetesClient(client)
                .withUseSSAToPatchPrimaryResource(false)
                .withSSABasedCreateUpdateMatchForDependentResources(false)
                // the default handler exits the JVM when a synced informer fails: here the test should fail instead
                .withInformerStoppedHandler((informer, e) -> {
                    if (e != null) {
                        org.jboss.logging.Logger.getLogger(Fixture.class).errorf(e, "informer %s stopped", informer);
                    }
                }));
        operator.register(new SpectrumReconciler(client, retry, resultsInterval));
        operator.register(new FunnelReconciler(client, refreshImage, resultsInterval, retry));
        operator.register(new ExperimentReconciler(client, refreshImage, resultsInterval, retry));
        operator.start();
        return operator;
    }

    /** Drops the logins a test's Spectrums made on the shared server. */
    static void dropLogins(String namespace, String... spectrums) throws Exception {
        try (var c = DriverManager.getConnection(TestDatabase.serverUrl(), TestDatabase.user(), TestDatabase.password());
             var s = c.createStatement()) {
            for (String spectrum : spectrums) {
                for (var component : SpectrumNames.Component.values()) {
                    s.execute("DROP ROLE IF EXISTS " + new SpectrumNames(namespace, spectrum).login(component));
                }
            }
        }
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String decode(Secret secret, String key) {
        assertThat(secret).as("Secret").isNotNull();
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
