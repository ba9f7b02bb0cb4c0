package dev.spectrum.operator.api;

import static dev.spectrum.operator.api.Fixture.WAIT;
import static dev.spectrum.operator.api.Fixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumSpec;
import dev.spectrum.operator.spectrum.dependent.SpectrumSecrets;
import dev.spectrum.sql.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.sql.DriverManager;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A managed database end to end: the operator makes the StatefulSet, Service and superuser Secret;
 * the test plays the StatefulSet controller, and the "pod" it pretends is ready is the local
 * PostgreSQL (the test profile maps prod-db.managed-test.svc to it, database
 * spectrum_t_operator_managed). The operator creates database and owner login, migrates as the
 * owner (no object owned by a superuser), and everything else follows. Deletion leaves the data.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ManagedSpectrumTest {

    static final String NS = "managed-test";
    static final String DATABASE = "spectrum_t_operator_managed";

    @Inject
    KubernetesClient client;

    @Inject
    Operator operator;

    @BeforeAll
    static void noLeftover() throws Exception {
        admin("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        admin("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        Fixture.dropLogins(NS, "prod");
    }

    @Test
    void aManagedDatabaseIsCreatedMigratedAsItsOwnerAndOutlivesTheSpectrum() throws Exception {
        Fixture.namespace(client, NS);
        Spectrum s = Fixture.blank(NS, "prod");
        var managed = new SpectrumSpec.Managed();
        managed.setStorage("5Gi");
        s.getSpec().getDatabase().setManaged(managed);
        client.resources(Spectrum.class).inNamespace(NS).resource(s).create();

        await().atMost(WAIT).untilAsserted(() -> {
            Fixture.playControllers(client, NS);
            Spectrum now = Fixture.get(client, NS, "prod");
            assertThat(now.getStatus()).isNotNull();
            assertThat(condition(now.getStatus().getConditions(), "Ready")).as(now.getStatus().getConditions().toString()).isEqualTo("True");
        });
        Spectrum ready = Fixture.get(client, NS, "prod");
        assertThat(ready.getStatus().getDatabaseKind()).isEqualTo("managed");
        // the logins', write keys' and datasource's Secrets share one informer; the superuser
        // Secret, active for managed databases only, has its own; the CloudNativePG owner's is not running
        var informers = operator.getRegisteredController("spectrum").orElseThrow().getControllerHealthInfo().eventSourceHealthIndicators();
        assertThat(informers.entrySet().stream().filter(e -> e.getValue() instanceof InformerEventSource<?, ?> i
                && i.resourceType() == Secret.class).map(Map.Entry::getKey))
                .containsExactlyInAnyOrder(SpectrumSecrets.EVENT_SOURCE, "database-superuser");
        assertThat(client.secrets().inNamespace(NS).list().getItems()).extracting(x -> x.getMetadata().getName())
                .contains("prod-db-superuser", "prod-db-ingest", "prod-db-pipeline", "prod-db-reader", "prod-write-keys", "prod-grafana-datasource");
        var statefulSet = client.apps().statefulSets().inNamespace(NS).withName("prod-db").get();
        assertThat(statefulSet.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(ready.getMetadata().getUid()));
        assertThat(statefulSet.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage").toString())
                .isEqualTo("5Gi");
        assertThat(client.services().inNamespace(NS).withName("prod-db").get().getSpec().getPorts().get(0).getPort()).isEqualTo(5432);
        var superuser = client.secrets().inNamespace(NS).withName("prod-db-superuser").get();
        assertThat(superuser.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(Fixture.decode(superuser, "username")).isEqualTo("postgres");
        // the login Secrets point at the in-cluster Service
        var ingest = client.secrets().inNamespace(NS).withName("prod-db-ingest").get();
        assertThat(Fixture.decode(ingest, "host")).isEqualTo("prod-db.managed-test.svc");
        assertThat(Fixture.decode(ingest, "database")).isEqualTo("spectrum");

        // database spectrum (here: its stand-in) is owned by login spectrum, and so is every schema object
        try (var c = DriverManager.getConnection(TestDatabase.serverUrl().replaceAll("/[^/]*$", "/" + DATABASE), TestDatabase.user(),
                TestDatabase.password()); var st = c.createStatement()) {
            var rs = st.executeQuery("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()");
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("spectrum");
            rs = st.executeQuery("SELECT rolcreaterole FROM pg_roles WHERE rolname = 'spectrum'");
            rs.next();
            assertThat(rs.getBoolean(1)).isTrue();
            rs = st.executeQuery("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " JOIN pg_roles r ON r.oid = c.relowner WHERE n.nspname IN ('staging', 'warehouse', 'analytics') AND r.rolsuper");
            rs.next();
            assertThat(rs.getLong(1)).isZero();
            rs = st.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success");
            rs.next();
            assertThat(rs.getLong(1)).isPositive();
        }

        // deleted: the mock server does no garbage collection, so check what would go — the owner references
        String uid = ready.getMetadata().getUid();
        client.resources(Spectrum.class).inNamespace(NS).withName("prod").delete();
        await().atMost(WAIT).until(() -> Fixture.get(client, NS, "prod") == null);
        assertThat(client.secrets().inNamespace(NS).withName("prod-db-superuser").get()).isNotNull();
        assertThat(client.secrets().inNamespace(NS).withName("prod-write-keys").get().getMetadata().getOwnerReferences()).isNullOrEmpty();
        String writeKey = Fixture.decode(client.secrets().inNamespace(NS).withName("prod-write-keys").get(), "default");
        String superuserPassword = Fixture.decode(superuser, "password");
        // as garbage collection would: everything owned by the old uid goes
        client.apps().statefulSets().inNamespace(NS).withName("prod-db").delete();
        client.secrets().inNamespace(NS).list().getItems().stream()
                .filter(x -> x.getMetadata().getOwnerReferences() != null && x.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> uid.equals(o.getUid())))
                .forEach(x -> client.secrets().inNamespace(NS).resource(x).delete());

        // a re-created Spectrum of the same name adopts the retained data: same superuser, same write key
        Spectrum again = Fixture.blank(NS, "prod");
        again.getSpec().getDatabase().setManaged(new SpectrumSpec.Managed());
        client.resources(Spectrum.class).inNamespace(NS).resource(again).create();
        await().atMost(WAIT).untilAsserted(() -> {
            Fixture.playControllers(client, NS);
            Spectrum now = Fixture.get(client, NS, "prod");
            assertThat(now.getStatus()).isNotNull();
            assertThat(condition(now.getStatus().getConditions(), "Ready")).as(now.getStatus().getConditions().toString()).isEqualTo("True");
        });
        assertThat(Fixture.decode(client.secrets().inNamespace(NS).withName("prod-write-keys").get(), "default")).isEqualTo(writeKey);
        assertThat(Fixture.decode(client.secrets().inNamespace(NS).withName("prod-db-superuser").get(), "password")).isEqualTo(superuserPassword);
    }

    static void admin(String sql) throws Exception {
        try (var c = DriverManager.getConnection(TestDatabase.serverUrl(), TestDatabase.user(), TestDatabase.password());
             var st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
