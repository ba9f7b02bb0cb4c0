package dev.spectrum.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.definitions.v1alpha1.FunnelSpec;
import dev.spectrum.definitions.v1alpha1.FunnelStep;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumRef;
import dev.spectrum.definitions.v1alpha1.SpectrumSpec;
import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real reconcilers against fabric8's mock API server (CRUD mode) and the real PostgreSQL:
 * a Spectrum's database is migrated; a Funnel becomes a view, a ConfigMap, a CronJob and a
 * status with numbers; updates, invalid specs, deletion and a missing Spectrum or database.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.empty();

    static final String NS = "test";
    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    KubernetesClient client;

    @Test
    @Order(1)
    void aSpectrumWithAnExternalDatabaseIsMigratedAndReady() {
        client.secrets().inNamespace(NS).resource(secret("pg", db.name(), 5432)).create();
        client.resources(Spectrum.class).inNamespace(NS).resource(spectrum("local", "pg")).create();

        await().atMost(WAIT).untilAsserted(() -> {
            Spectrum s = client.resources(Spectrum.class).inNamespace(NS).withName("local").get();
            assertThat(s.getStatus()).isNotNull();
            assertThat(condition(s.getStatus().getConditions(), "Ready")).isEqualTo("True");
            assertThat(condition(s.getStatus().getConditions(), "DatabaseReady")).isEqualTo("True");
            assertThat(condition(s.getStatus().getConditions(), "SchemaReady")).isEqualTo("True");
            assertThat(condition(s.getStatus().getConditions(), "IngestReady")).isEqualTo("Unknown");
            assertThat(s.getStatus().getSchemaVersion()).isEqualTo("9");
        });
    }

    @Test
    @Order(2)
    void aFunnelBecomesAViewAConfigMapACronJobAndAStatusWithNumbers() throws Exception {
        OffsetDateTime base = OffsetDateTime.now(ZoneOffset.UTC).minusDays(2);
        RawEvent.of("op_signup").user("a").at(base).insertInto(db);
        RawEvent.of("op_buy").user("a").at(base.plusMinutes(5)).insertInto(db);
        RawEvent.of("op_signup").user("b").at(base).insertInto(db);
        db.runPipeline();

        client.resources(Funnel.class).inNamespace(NS).resource(funnel("checkout", "local", "7d", "op_signup", "op_buy")).create();

        await().atMost(WAIT).untilAsserted(() -> {
            Funnel f = client.resources(Funnel.class).inNamespace(NS).withName("checkout").get();
            assertThat(f.getStatus()).isNotNull();
            assertThat(condition(f.getStatus().getConditions(), "Ready")).isEqualTo("True");
            assertThat(f.getStatus().getViewName()).isEqualTo("analytics.funnel_checkout");
            // a and b signed up, a bought: 2, 1 (0.5)
            assertThat(f.getStatus().getSteps()).extracting(s -> s.persons()).containsExactly(2L, 1L);
            assertThat(f.getStatus().getOverallConversion()).isEqualTo(0.5);
            assertThat(f.getMetadata().getFinalizers()).isNotEmpty();
        });
        assertThat(db.value("SELECT to_regclass('analytics.funnel_checkout') IS NOT NULL", Boolean.class)).isTrue();

        var configMap = client.configMaps().inNamespace(NS).withName("funnel-checkout-sql").get();
        assertThat(configMap.getData().get("view.sql")).startsWith("CREATE MATERIALIZED VIEW analytics.\"funnel_checkout\" AS");
        assertThat(configMap.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getKind()).isEqualTo("Funnel"));

        CronJob cronJob = client.batch().v1().cronjobs().inNamespace(NS).withName("funnel-checkout-refresh").get();
        assertThat(cronJob.getSpec().getSchedule()).isEqualTo("*/5 * * * *");
        assertThat(cronJob.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        var container = cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("postgres:16-alpine");
        assertThat(String.join(" ", container.getCommand())).contains("warehouse.refresh_view(E'funnel_checkout')")
                .doesNotContain("password").doesNotContain("secret-pw");
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("PGPASSWORD");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("pg");
            assertThat(e.getValue()).isNull();
        });
        assertThat(configMap.getData().toString()).doesNotContain("secret-pw");
    }

    @Test
    @Order(3)
    void anUnchangedFunnelChangesNothingAndAChangedOneIsReplaced() throws Exception {
        String appliedAt = db.value("SELECT applied_at::text FROM warehouse.definitions WHERE name = 'checkout'", String.class);
        Thread.sleep(3000); // at least one periodic re-reconcile of the unchanged funnel
        assertThat(db.value("SELECT applied_at::text FROM warehouse.definitions WHERE name = 'checkout'", String.class))
                .isEqualTo(appliedAt);

        Funnel f = client.resources(Funnel.class).inNamespace(NS).withName("checkout").get();
        String oldHash = f.getStatus().getSqlHash();
        f.getSpec().setWindow("1m");   // b never buys, a bought after 5 minutes: now nobody converts
        client.resources(Funnel.class).inNamespace(NS).resource(f).update();
        await().atMost(WAIT).untilAsserted(() -> {
            Funnel updated = client.resources(Funnel.class).inNamespace(NS).withName("checkout").get();
            assertThat(updated.getStatus().getObservedGeneration()).isEqualTo(updated.getMetadata().getGeneration());
            assertThat(updated.getStatus().getSqlHash()).isNotEqualTo(oldHash);
            assertThat(updated.getStatus().getSteps()).extracting(s -> s.persons()).containsExactly(2L, 0L);
        });
    }

    @Test
    @Order(4)
    void anInvalidSpecIsNotReadyWithTheReasonAndTheOldViewStays() throws Exception {
        String appliedSql = db.value("SELECT sql_hash FROM warehouse.definitions WHERE name = 'checkout'", String.class);
        Funnel f = client.resources(Funnel.class).inNamespace(NS).withName("checkout").get();
        f.getSpec().setSteps(new ArrayList<>(List.of(new FunnelStep("op_signup"), new FunnelStep("op_signup"))));
        client.resources(Funnel.class).inNamespace(NS).resource(f).update();
        await().atMost(WAIT).untilAsserted(() -> {
            Funnel updated = client.resources(Funnel.class).inNamespace(NS).withName("checkout").get();
            Condition ready = updated.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
            assertThat(ready.getStatus()).isEqualTo("False");
            assertThat(ready.getReason()).isEqualTo("InvalidSpec");
            assertThat(ready.getMessage()).contains("the step name 'op_signup' is used twice");
        });
        assertThat(db.value("SELECT sql_hash FROM warehouse.definitions WHERE name = 'checkout'", String.class)).isEqualTo(appliedSql);
        assertThat(db.value("SELECT to_regclass('analytics.funnel_checkout') IS NOT NULL", Boolean.class)).isTrue();
    }

    @Test
    @Order(5)
    void deletingTheFunnelDropsItsView() {
        client.resources(Funnel.class).inNamespace(NS).withName("checkout").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.resources(Funnel.class).inNamespace(NS).withName("checkout").get()).isNull();
            assertThat(db.value("SELECT to_regclass('analytics.funnel_checkout') IS NULL", Boolean.class)).isTrue();
        });
    }

    @Test
    @Order(6)
    void aMissingSpectrumOrAnUnreachableDatabaseIsNotReadyWithTheReason() {
        client.resources(Funnel.class).inNamespace(NS).resource(funnel("orphan", "nope", "7d", "a", "b")).create();
        client.secrets().inNamespace(NS).resource(secret("closed", db.name(), 1)).create();
        client.resources(Spectrum.class).inNamespace(NS).resource(spectrum("down", "closed")).create();
        await().atMost(WAIT).untilAsserted(() -> {
            Funnel f = client.resources(Funnel.class).inNamespace(NS).withName("orphan").get();
            assertThat(f.getStatus()).isNotNull();
            assertThat(f.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Ready");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("SpectrumNotFound");
            });
            Spectrum s = client.resources(Spectrum.class).inNamespace(NS).withName("down").get();
            assertThat(s.getStatus()).isNotNull();
            assertThat(s.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("DatabaseReady");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("Unreachable");
            });
        });
    }

    @Test
    @Order(7)
    void anExperimentReportsItsResultsAndSampleRatio() throws Exception {
        OffsetDateTime base = OffsetDateTime.now(ZoneOffset.UTC).minusDays(1);
        for (int i = 0; i < 8; i++) {
            String person = "e" + i;
            RawEvent.of("experiment_exposure").user(person).at(base.plusMinutes(i))
                    .properties("{\"experiment\": \"op-test\", \"variant\": \"" + (i % 2 == 0 ? "control" : "treatment") + "\"}")
                    .insertInto(db);
            if (i % 4 != 0) {
                RawEvent.of("op_purchase").user(person).at(base.plusMinutes(30 + i)).insertInto(db);
            }
        }
        db.runPipeline();
        var experiment = (dev.spectrum.definitions.v1alpha1.Experiment) dev.spectrum.definitions.files.DefinitionFiles.parse("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Experiment
                metadata: {name: op-test, namespace: test}
                spec:
                  spectrumRef: {name: local}
                  variants: [{name: control, weight: 1}, {name: treatment, weight: 1}]
                  metrics: [{name: bought, type: conversion, event: op_purchase}]
                """).get(0);
        client.resources(dev.spectrum.definitions.v1alpha1.Experiment.class).inNamespace(NS).resource(experiment).create();
        await().atMost(WAIT).untilAsserted(() -> {
            var e = client.resources(dev.spectrum.definitions.v1alpha1.Experiment.class).inNamespace(NS).withName("op-test").get();
            assertThat(e.getStatus()).isNotNull();
            assertThat(condition(e.getStatus().getConditions(), "Ready")).isEqualTo("True");
            // 4 and 4 persons against weights 1:1: chi-squared 0, p = 1, no mismatch
            assertThat(e.getStatus().getPersons()).isEqualTo(8L);
            assertThat(e.getStatus().getSrmPValue()).isEqualTo(1.0);
            assertThat(condition(e.getStatus().getConditions(), "SampleRatioMismatch")).isEqualTo("False");
            assertThat(e.getStatus().getResults()).singleElement().satisfies(r -> {
                assertThat(r.metric()).isEqualTo("bought");
                assertThat(r.variant()).isEqualTo("treatment");
            });
        });
        assertThat(client.configMaps().inNamespace(NS).withName("experiment-op-test-sql").get()).isNotNull();
        assertThat(client.batch().v1().cronjobs().inNamespace(NS).withName("experiment-op-test-refresh").get()).isNotNull();
    }

    @Test
    @Order(8)
    void whenTheDatabaseComesBackTheSpectrumRecoversByItself() {
        // "down" points at a closed port (test 6); the Secret is fixed, nothing else is touched
        var fixed = secret("closed", db.name(), 5432);
        client.secrets().inNamespace(NS).resource(fixed).update();
        await().atMost(WAIT).untilAsserted(() -> {
            Spectrum s = client.resources(Spectrum.class).inNamespace(NS).withName("down").get();
            assertThat(condition(s.getStatus().getConditions(), "DatabaseReady")).isEqualTo("True");
            assertThat(condition(s.getStatus().getConditions(), "Ready")).isEqualTo("True");
        });
    }

    @Test
    @Order(9)
    void aSecondFunnelOfTheSameNameOnTheSameDatabaseIsAConflictAndCannotDropTheFirst() throws Exception {
        client.resources(Funnel.class).inNamespace(NS).resource(funnel("shared", "local", "7d", "op_signup", "op_buy")).create();
        await().atMost(WAIT).untilAsserted(() -> assertThat(condition(client.resources(Funnel.class).inNamespace(NS)
                .withName("shared").get().getStatus().getConditions(), "Ready")).isEqualTo("True"));

        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName("other")
                .endMetadata().build()).create();
        var secret = secret("pg", db.name(), 5432);
        secret.getMetadata().setNamespace("other");
        client.secrets().inNamespace("other").resource(secret).create();
        Spectrum spectrum = spectrum("local", "pg");
        spectrum.getMetadata().setNamespace("other");
        client.resources(Spectrum.class).inNamespace("other").resource(spectrum).create();
        Funnel second = funnel("shared", "local", "1h", "op_signup", "op_buy");
        second.getMetadata().setNamespace("other");
        client.resources(Funnel.class).inNamespace("other").resource(second).create();

        await().atMost(WAIT).untilAsserted(() -> {
            Funnel f = client.resources(Funnel.class).inNamespace("other").withName("shared").get();
            assertThat(f.getStatus()).isNotNull();
            assertThat(f.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Ready");
                assertThat(c.getReason()).isEqualTo("Conflict");
                assertThat(c.getMessage()).contains("from test/shared already owns analytics.funnel_shared");
            });
        });
        // the first one's view stays, with its own window, also after the second is deleted
        client.resources(Funnel.class).inNamespace("other").withName("shared").delete();
        await().atMost(WAIT).until(() -> client.resources(Funnel.class).inNamespace("other").withName("shared").get() == null);
        assertThat(db.value("SELECT spec ->> 'window' FROM warehouse.definitions WHERE name = 'shared'", String.class))
                .isEqualTo("7d");
        assertThat(db.value("SELECT to_regclass('analytics.funnel_shared') IS NOT NULL", Boolean.class)).isTrue();
    }

    static String condition(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> c.getType().equals(type)).map(Condition::getStatus).findFirst().orElse(null);
    }

    static io.fabric8.kubernetes.api.model.Secret secret(String name, String database, int port) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withData(Map.of("host", b64("localhost"), "port", b64(String.valueOf(port)), "database", b64(database),
                        "username", b64(TestDatabase.user()), "password", b64(TestDatabase.password().isEmpty() ? "secret-pw" : TestDatabase.password())))
                .build();
    }

    static Spectrum spectrum(String name, String secret) {
        Spectrum s = new Spectrum();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        var spec = new SpectrumSpec();
        var database = new SpectrumSpec.Database();
        var external = new SpectrumSpec.External();
        external.setSecretRef(new SpectrumRef(secret));
        database.setExternal(external);
        spec.setDatabase(database);
        s.setSpec(spec);
        return s;
    }

    static Funnel funnel(String name, String spectrum, String window, String first, String second) {
        Funnel f = new Funnel();
        f.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        var spec = new FunnelSpec();
        spec.setSpectrumRef(new SpectrumRef(spectrum));
        spec.setWindow(window);
        spec.setSteps(new ArrayList<>(List.of(new FunnelStep(first), new FunnelStep(second))));
        f.setSpec(spec);
        return f;
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
