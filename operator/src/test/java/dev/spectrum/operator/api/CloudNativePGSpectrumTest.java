package dev.spectrum.operator.api;

import static dev.spectrum.operator.api.Fixture.WAIT;
import static dev.spectrum.operator.api.Fixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumSpec;
import dev.spectrum.operator.spectrum.model.CloudNativePGCluster;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A CloudNativePG database: without CloudNativePG's CRD the Spectrum says CloudNativePGNotInstalled;
 * once the CRD appears (no operator restart) the Cluster is created, and when the test — playing
 * CloudNativePG — reports it ready, the operator connects (the local PostgreSQL stands in for
 * prod-db-rw.cnpg-test.svc, database spectrum_t_operator_cnpg) and the Spectrum becomes Ready.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CloudNativePGSpectrumTest {

    static final String NS = "cnpg-test";
    static final String DATABASE = "spectrum_t_operator_cnpg";

    @Inject
    KubernetesClient client;

    @BeforeAll
    static void database() throws Exception {
        ManagedSpectrumTest.admin("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        // CloudNativePG's initdb would make database spectrum owned by login spectrum (CREATEROLE)
        ManagedSpectrumTest.admin("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'spectrum') THEN"
                + " CREATE ROLE spectrum LOGIN CREATEROLE; END IF; END $$");
        ManagedSpectrumTest.admin("CREATE DATABASE " + DATABASE + " OWNER spectrum");
    }

    @AfterAll
    static void drop() throws Exception {
        ManagedSpectrumTest.admin("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        Fixture.dropLogins(NS, "prod");
    }

    @Test
    void withoutCloudNativePGTheSpectrumSaysSoAndWithItItBecomesReady() {
        Fixture.namespace(client, NS);
        Spectrum s = Fixture.blank(NS, "prod");
        var cnpg = new SpectrumSpec.CloudNativePG();
        cnpg.setInstances(3);
        cnpg.setStorage("50Gi");
        s.getSpec().getDatabase().setCloudNativePG(cnpg);
        client.resources(Spectrum.class).inNamespace(NS).resource(s).create();
        await().atMost(WAIT).untilAsserted(() -> {
            Spectrum now = Fixture.get(client, NS, "prod");
            assertThat(now.getStatus()).isNotNull();
            var database = Fixture.conditionOf(now, "DatabaseReady");
            assertThat(database.getStatus()).isEqualTo("False");
            assertThat(database.getReason()).isEqualTo("CloudNativePGNotInstalled");
            assertThat(database.getMessage()).contains("clusters.postgresql.cnpg.io");
        });
        // the owner Secret is made already (CloudNativePG's bootstrap needs it), retained with the data
        var owner = client.secrets().inNamespace(NS).withName("prod-db-owner").get();
        assertThat(owner.getType()).isEqualTo("kubernetes.io/basic-auth");
        assertThat(owner.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(Fixture.decode(owner, "sslmode")).isEqualTo("require");
        // the stand-in server (the local PostgreSQL) has no TLS, unlike CloudNativePG's
        owner.getData().put("sslmode", Fixture.b64("disable"));
        client.secrets().inNamespace(NS).resource(owner).update();

        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(CloudNativePGCluster.CRD).endMetadata()
                .withNewSpec().withGroup("postgresql.cnpg.io").withScope("Namespaced")
                .withNewNames().withKind("Cluster").withPlural("clusters").withSingular("cluster").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true).withNewSchema().withNewOpenAPIV3Schema()
                .withType("object").withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                .withNewSubresources().withNewStatus().endStatus().endSubresources().endVersion()
                .endSpec().build()).create();

        await().atMost(WAIT).untilAsserted(() -> {
            Fixture.playControllers(client, NS);
            Spectrum now = Fixture.get(client, NS, "prod");
            assertThat(condition(now.getStatus().getConditions(), "Ready")).as(now.getStatus().getConditions().toString()).isEqualTo("True");
        });
        CloudNativePGCluster cluster = client.resources(CloudNativePGCluster.class).inNamespace(NS).withName("prod-db").get();
        assertThat(cluster.getSpec().getInstances()).isEqualTo(3);
        assertThat(cluster.getSpec().getStorage().getSize()).isEqualTo("50Gi");
        assertThat(cluster.getSpec().getBootstrap().getInitdb().getSecret().getName()).isEqualTo("prod-db-owner");
        assertThat(cluster.getMetadata().getOwnerReferences()).isNullOrEmpty(); // Retain: the data stays
        assertThat(Fixture.decode(client.secrets().inNamespace(NS).withName("prod-db-pipeline").get(), "host"))
                .isEqualTo("prod-db-rw.cnpg-test.svc");
        assertThat(Fixture.get(client, NS, "prod").getStatus().getDatabaseKind()).isEqualTo("cloudNativePG");
    }
}
