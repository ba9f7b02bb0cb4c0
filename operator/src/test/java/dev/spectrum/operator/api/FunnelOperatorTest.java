package dev.spectrum.operator.api;

import static dev.spectrum.operator.api.Fixture.WAIT;
import static dev.spectrum.operator.api.Fixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.definitions.v1alpha1.FunnelStep;
import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Funnels against the mock API server and the real PostgreSQL, each test with a funnel of its own
 * (independent, runnable alone): view, ConfigMap, CronJob and numbers; unchanged and changed specs;
 * invalid specs; deletion; a missing Spectrum; a same-named funnel from elsewhere is a Conflict.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class FunnelOperatorTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.empty();

    static final String NS = "funnel-test";

    @Inject
    KubernetesClient client;

    @BeforeAll
    static void events() throws Exception {
        // the Spectrum migrates the database; the events go in after that (see spectrum())
    }

    @AfterAll
    static void logins() throws Exception {
        Fixture.dropLogins(NS, "local");
        Fixture.dropLogins("funnel-test-other", "local");
    }

    /** A ready Spectrum "local" with a few events loaded (once per class). */
    void spectrum() throws Exception {
        Fixture.namespace(client, NS);
        if (Fixture.get(client, NS, "local") != null) {
            return;
        }
        client.secrets().inNamespace(NS).resource(Fixture.externalSecret(NS, "pg", db.name(), 5432)).create();
        client.resources(Spectrum.class).inNamespace(NS).resource(Fixture.external(NS, "local", "pg")).create();
        await().atMost(WAIT).untilAsserted(() -> {
            Fixture.playControllers(client, NS);
            Spectrum s = Fixture.get(client, NS, "local");
            assertThat(s.getStatus()).isNotNull();
            assertThat(condition(s.getStatus().getConditions(), "SchemaReady")).isEqualTo("True");
        });
        OffsetDateTime base = OffsetDateTime.now(ZoneOffset.UTC).minusDays(2);
        RawEvent.of("op_signup").user("a").at(base).insertInto(db);
        RawEvent.of("op_buy").user("a").at(base.plusMinutes(5)).insertInto(db);
        RawEvent.of("op_signup").user("b").at(base).insertInto(db);
        db.runPipeline();
    }

    Funnel create(String name, String window) throws Exception {
        spectrum();
        Funnel f = Fixture.funnel(NS, name, "local", window, "op_signup", "op_buy");
        client.resources(Funnel.class).inNamespace(NS).resource(f).create();
        await().atMost(WAIT).untilAsserted(() -> {
            Funnel now = client.resources(Funnel.class).inNamespace(NS).withName(name).get();
            assertThat(now.getStatus()).isNotNull();
            assertThat(condition(now.getStatus().getConditions(), "Ready")).isEqualTo("True");
        });
        return client.resources(Funnel.class).inNamespace(NS).withName(name).get();
    }

    @Test
    void aFunnelBecomesAViewAConfigMapACronJobAndAStatusWithNumbers() throws Exception {
        create("checkout", "7d");
        await().atMost(WAIT).untilAsserted(() -> {
            Funnel f = client.resources(Funnel.class).inNamespace(NS).withName("checkout").get();
            assertThat(f.getStatus().getViewName()).isEqualTo("analytics.funnel_checkout");
            // a and b signed up, a bought: 2, 1 (0.5)
            assertThat(f.getStatus().getSteps()).extracting(s -> s.persons()).containsExactly(2L, 1L);
            assertThat(f.getStatus().getOverallConversion()).isEqualTo(0.5);
            assertThat(f.getMetadata().getFinalizers()).isNotEmpty();
        });
        assertThat(db.value("SELECT to_regclass('analytics.funnel_checkout') IS NOT NULL", Boolean.class)).isTrue();
        var configMap = client.configMaps().inNamespace(NS).withName("funnel-checkout-sql").get();
        assertThat(configMap.getData().get("view.sql")).startsWith("CREATE MATERIALIZED VIEW analytics.\"funnel_checkout\" AS");
        assertThat(configMap.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("Funnel"));
        CronJob cronJob = client.batch().v1().cronjobs().inNamespace(NS).withName("funnel-checkout-refresh").get();
        assertThat(cronJob.getSpec().getSchedule()).isEqualTo("*/5 * * * *");
        assertThat(cronJob.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
        var container = cronJob.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("postgres:16-alpine");
        assertThat(String.join(" ", container.getCommand())).contains("warehouse.refresh_view(E'funnel_checkout')")
                .doesNotContain("secret-pw");
        // the refresh logs in as the pipeline login, never with the owner's Secret
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("PGPASSWORD");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("local-db-pipeline");
            assertThat(e.getValue()).isNull();
        });
        assertThat(configMap.getData().toString()).doesNotContain("secret-pw");
    }

    @Test
    void anUnchangedFunnelChangesNothingAndAChangedOneIsReplaced() throws Exception {
        create("changing", "7d");
        String appliedAt = db.value("SELECT applied_at::text FROM warehouse.definitions WHERE name = 'changing'", String.class);
        Thread.sleep(3000); // at least one periodic re-reconcile of the unchanged funnel
        assertThat(db.value("SELECT applied_at::text FROM warehouse.definitions WHERE name = 'changing'", String.class)).isEqualTo(appliedAt);
        Funnel f = client.resources(Funnel.class).inNamespace(NS).withName("changing").get();
        String oldHash = f.getStatus().getSqlHash();
        f.getSpec().setWindow("1m");   // b never buys, a bought after 5 minutes: now nobody converts
        client.resources(Funnel.class).inNamespace(NS).resource(f).update();
        await().atMost(WAIT).untilAsserted(() -> {
            Funnel updated = client.resources(Funnel.class).inNamespace(NS).withName("changing").get();
            assertThat(updated.getStatus().getObservedGeneration()).isEqualTo(updated.getMetadata().getGeneration());
            assertThat(updated.getStatus().getSqlHash()).isNotEqualTo(oldHash);
            assertThat(updated.getStatus().getSteps()).extracting(s -> s.persons()).containsExactly(2L, 0L);
        });
    }

    @Test
    void anInvalidSpecIsNotReadyWithTheReasonAndTheOldViewStays() throws Exception {
        create("invalid", "7d");
        String appliedSql = db.value("SELECT sql_hash FROM warehouse.definitions WHERE name = 'invalid'", String.class);
        Funnel f = client.resources(Funnel.class).inNamespace(NS).withName("invalid").get();
        f.getSpec().setSteps(new ArrayList<>(List.of(new FunnelStep("op_signup"), new FunnelStep("op_signup"))));
        client.resources(Funnel.class).inNamespace(NS).resource(f).update();
        await().atMost(WAIT).untilAsserted(() -> {
            Funnel updated = client.resources(Funnel.class).inNamespace(NS).withName("invalid").get();
            Condition ready = updated.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
            assertThat(ready.getStatus()).isEqualTo("False");
            assertThat(ready.getReason()).isEqualTo("InvalidSpec");
            assertThat(ready.getMessage()).contains("the step name 'op_signup' is used twice");
        });
        assertThat(db.value("SELECT sql_hash FROM warehouse.definitions WHERE name = 'invalid'", String.class)).isEqualTo(appliedSql);
        assertThat(db.value("SELECT to_regclass('analytics.funnel_invalid') IS NOT NULL", Boolean.class)).isTrue();
    }

    @Test
    void deletingTheFunnelDropsItsView() throws Exception {
        create("deleted", "7d");
        client.resources(Funnel.class).inNamespace(NS).withName("deleted").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.resources(Funnel.class).inNamespace(NS).withName("deleted").get()).isNull();
            assertThat(db.value("SELECT to_regclass('analytics.funnel_deleted') IS NULL", Boolean.class)).isTrue();
        });
    }

    @Test
    void aMissingSpectrumIsNotReadyWithTheReason() throws Exception {
        spectrum();
        client.resources(Funnel.class).inNamespace(NS).resource(Fixture.funnel(NS, "orphan", "nope", "7d", "a", "b")).create();
        await().atMost(WAIT).untilAsserted(() -> {
            Funnel f = client.resources(Funnel.class).inNamespace(NS).withName("orphan").get();
            assertThat(f.getStatus()).isNotNull();
            assertThat(f.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Ready");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("SpectrumNotFound");
            });
        });
        Thread.sleep(5000); // two retries or more (2 s in tests), each still SpectrumNotFound
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).filteredOn(e -> "orphan".equals(e.getInvolvedObject().getName()))
                .as("one Warning when the condition changed, none at each retry")
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getReason()).isEqualTo("SpectrumNotFound");
                });
    }

    @Test
    void aSecondFunnelOfTheSameNameOnTheSameDatabaseIsAConflictAndCannotDropTheFirst() throws Exception {
        create("shared", "7d");
        String other = "funnel-test-other";
        Fixture.namespace(client, other);
        client.secrets().inNamespace(other).resource(Fixture.externalSecret(other, "pg", db.name(), 5432)).create();
        client.resources(Spectrum.class).inNamespace(other).resource(Fixture.external(other, "local", "pg")).create();
        client.resources(Funnel.class).inNamespace(other).resource(Fixture.funnel(other, "shared", "local", "1h", "op_signup", "op_buy"))
                .create();
        await().atMost(WAIT).untilAsserted(() -> {
            Funnel f = client.resources(Funnel.class).inNamespace(other).withName("shared").get();
            assertThat(f.getStatus()).isNotNull();
            assertThat(f.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Ready");
                assertThat(c.getReason()).isEqualTo("Conflict");
                assertThat(c.getMessage()).contains("from funnel-test/shared already owns analytics.funnel_shared");
            });
        });
        client.resources(Funnel.class).inNamespace(other).withName("shared").delete();
        await().atMost(WAIT).until(() -> client.resources(Funnel.class).inNamespace(other).withName("shared").get() == null);
        assertThat(db.value("SELECT spec ->> 'window' FROM warehouse.definitions WHERE name = 'shared'", String.class)).isEqualTo("7d");
        assertThat(db.value("SELECT to_regclass('analytics.funnel_shared') IS NOT NULL", Boolean.class)).isTrue();
    }
}
