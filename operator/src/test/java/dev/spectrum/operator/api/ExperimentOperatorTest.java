package dev.spectrum.operator.api;

import static dev.spectrum.operator.api.Fixture.WAIT;
import static dev.spectrum.operator.api.Fixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spectrum.definitions.files.DefinitionFiles;
import dev.spectrum.definitions.v1alpha1.Experiment;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An Experiment against the mock API server and the real PostgreSQL: results and sample ratio in its status. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ExperimentOperatorTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.empty();

    static final String NS = "experiment-test";

    @Inject
    KubernetesClient client;

    @AfterAll
    static void logins() throws Exception {
        Fixture.dropLogins(NS, "local");
    }

    @Test
    void anExperimentReportsItsResultsAndSampleRatio() throws Exception {
        Fixture.namespace(client, NS);
        client.secrets().inNamespace(NS).resource(Fixture.externalSecret(NS, "pg", db.name(), 5432)).create();
        client.resources(Spectrum.class).inNamespace(NS).resource(Fixture.external(NS, "local", "pg")).create();
        await().atMost(WAIT).untilAsserted(() -> {
            Fixture.playControllers(client, NS);
            Spectrum s = Fixture.get(client, NS, "local");
            assertThat(s.getStatus()).isNotNull();
            assertThat(condition(s.getStatus().getConditions(), "SchemaReady")).isEqualTo("True");
        });
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
        var experiment = (Experiment) DefinitionFiles.parse("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Experiment
                metadata: {name: op-test, namespace: experiment-test}
                spec:
                  spectrumRef: {name: local}
                  variants: [{name: control, weight: 1}, {name: treatment, weight: 1}]
                  metrics: [{name: bought, type: conversion, event: op_purchase}]
                """).get(0);
        client.resources(Experiment.class).inNamespace(NS).resource(experiment).create();
        await().atMost(WAIT).untilAsserted(() -> {
            var e = client.resources(Experiment.class).inNamespace(NS).withName("op-test").get();
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
}
