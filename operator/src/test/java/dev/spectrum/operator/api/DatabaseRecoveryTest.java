package dev.spectrum.operator.api;

import static dev.spectrum.operator.api.Fixture.WAIT;
import static dev.spectrum.operator.api.Fixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.sql.testing.TestDatabase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database that is down: the conditions say so (DatabaseReady=False, Unreachable; nothing that
 * uses the database is created), and once the user's Secret is fixed — read again at every retry,
 * no restart, no cluster-wide watch — the Spectrum recovers by itself.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DatabaseRecoveryTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.empty();

    static final String NS = "recovery-test";

    @Inject
    KubernetesClient client;

    @AfterAll
    static void logins() throws Exception {
        Fixture.dropLogins(NS, "down");
    }

    @Test
    void anUnreachableDatabaseIsReportedAndTheSpectrumRecoversByItself() {
        Fixture.namespace(client, NS);
        client.secrets().inNamespace(NS).resource(Fixture.externalSecret(NS, "closed", db.name(), 1)).create();
        client.resources(Spectrum.class).inNamespace(NS).resource(Fixture.external(NS, "down", "closed")).create();
        await().atMost(WAIT).untilAsserted(() -> {
            Spectrum s = Fixture.get(client, NS, "down");
            assertThat(s.getStatus()).isNotNull();
            var database = Fixture.conditionOf(s, "DatabaseReady");
            assertThat(database.getStatus()).isEqualTo("False");
            assertThat(database.getReason()).isEqualTo("Unreachable");
            assertThat(database.getMessage()).contains("localhost:1/");
            assertThat(condition(s.getStatus().getConditions(), "SchemaReady")).isEqualTo("Unknown");
            assertThat(condition(s.getStatus().getConditions(), "Ready")).isEqualTo("False");
        });
        // nothing that uses the database exists before the schema does
        assertThat(client.apps().deployments().inNamespace(NS).withName("down-ingest").get()).isNull();
        assertThat(client.batch().v1().cronjobs().inNamespace(NS).withName("down-pipeline").get()).isNull();
        // retries change no condition: one Event for the failure, not one per retry
        long warnings = client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "Unreachable".equals(e.getReason())).count();
        assertThat(warnings).isEqualTo(1);

        client.secrets().inNamespace(NS).resource(Fixture.externalSecret(NS, "closed", db.name(), 5432)).update();
        await().atMost(WAIT).untilAsserted(() -> {
            Fixture.playControllers(client, NS);
            Spectrum s = Fixture.get(client, NS, "down");
            assertThat(condition(s.getStatus().getConditions(), "DatabaseReady")).isEqualTo("True");
            assertThat(condition(s.getStatus().getConditions(), "Ready")).isEqualTo("True");
        });
    }
}
