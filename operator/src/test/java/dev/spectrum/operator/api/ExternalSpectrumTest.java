package dev.spectrum.operator.api;

import static dev.spectrum.operator.api.Fixture.WAIT;
import static dev.spectrum.operator.api.Fixture.condition;
import static dev.spectrum.operator.api.Fixture.conditionOf;
import static dev.spectrum.operator.api.Fixture.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumSpec;
import dev.spectrum.sql.ScramVerifier;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import dev.spectrum.sql.Migrations;
import dev.spectrum.sql.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Spectrum on an external database, end to end against the mock API server and the real
 * PostgreSQL: Ready=True with every object, logins that can do exactly what their role allows,
 * a deleted Secret recreated, two Spectrums on one server, deletion and adoption.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ExternalSpectrumTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.empty();
    @RegisterExtension
    static final TestDatabase second = TestDatabase.empty();

    static final String NS = "external-test";
    static final String NS2 = "external-test-2";

    @Inject
    KubernetesClient client;

    @BeforeEach
    void readySpectrum() {
        Fixture.namespace(client, NS);
        if (Fixture.get(client, NS, "prod") == null) {
            client.secrets().inNamespace(NS).resource(Fixture.externalSecret(NS, "pg", db.name(), 5432)).create();
            client.resources(Spectrum.class).inNamespace(NS).resource(Fixture.external(NS, "prod", "pg")).create();
        }
        awaitReady(NS, "prod");
    }

    @AfterAll
    static void dropLogins() throws Exception {
        Fixture.dropLogins(NS, "prod");
        Fixture.dropLogins(NS2, "prod");
    }

    void awaitReady(String namespace, String name) {
        await().atMost(WAIT).untilAsserted(() -> {
            Fixture.playControllers(client, namespace);
            Spectrum s = Fixture.get(client, namespace, name);
            assertThat(s.getStatus()).isNotNull();
            assertThat(condition(s.getStatus().getConditions(), "Ready")).as(s.getStatus().getConditions().toString()).isEqualTo("True");
        });
    }

    @Test
    void oneSpectrumGivesEveryObjectAndReadyConditions() throws Exception {
        Spectrum s = Fixture.get(client, NS, "prod");
        for (String type : List.of("DatabaseReady", "SchemaReady", "IngestReady", "PipelineScheduled", "Ready")) {
            assertThat(condition(s.getStatus().getConditions(), type)).as(type).isEqualTo("True");
            assertThat(conditionOf(s, type).getObservedGeneration()).isEqualTo(s.getMetadata().getGeneration());
        }
        assertThat(s.getStatus().getDatabaseKind()).isEqualTo("external");
        assertThat(s.getStatus().getSchemaVersion()).isEqualTo(Migrations.currentVersion(db.dataSource()));
        assertThat(s.getStatus().getIngestEndpoint()).isEqualTo("http://prod-ingest.external-test.svc");
        // spec.dataRetention (default staging 7d, events off) is in the database's settings
        assertThat(db.value("SELECT value::text FROM warehouse.settings WHERE name = 'staging_retention'", String.class)).isEqualTo("7 days");

        String uid = s.getMetadata().getUid();
        List<HasMetadata> owned = List.of(client.apps().deployments().inNamespace(NS).withName("prod-ingest").get(),
                client.services().inNamespace(NS).withName("prod-ingest").get(),
                client.batch().v1().cronjobs().inNamespace(NS).withName("prod-pipeline").get(),
                client.secrets().inNamespace(NS).withName("prod-db-ingest").get(),
                client.secrets().inNamespace(NS).withName("prod-db-pipeline").get(),
                client.secrets().inNamespace(NS).withName("prod-db-reader").get(),
                client.secrets().inNamespace(NS).withName("prod-grafana-datasource").get());
        assertThat(owned).allSatisfy(o -> {
            assertThat(o).isNotNull();
            assertThat(o.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> assertThat(r.getUid()).isEqualTo(uid));
            assertThat(o.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "spectrum-operator");
        });
        // the write keys are data: no owner reference under Retain, one generated key
        Secret keys = client.secrets().inNamespace(NS).withName("prod-write-keys").get();
        assertThat(keys.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(keys.getData()).containsOnlyKeys("default");
        assertThat(decode(keys, "default")).startsWith("spx_").hasSize(36);
        // no autoscaler unless asked for
        assertThat(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName("prod-ingest").get()).isNull();
        // the ingest pods' template hashes the Secrets they use
        var deployment = client.apps().deployments().inNamespace(NS).withName("prod-ingest").get();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("spectrum.dev/secrets-hash");
        // Events: one per condition change, not one per retry
        long events = client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "prod".equals(e.getInvolvedObject().getName()) && "Ready".equals(e.getReason())).count();
        Thread.sleep(4000); // two retry intervals
        assertThat(client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "prod".equals(e.getInvolvedObject().getName()) && "Ready".equals(e.getReason())).count()).isEqualTo(events);
    }

    @Test
    void eachLoginCanDoExactlyWhatItsRoleAllows() throws Exception {
        String ingest = decode(secret("prod-db-ingest"), "username");
        String pipeline = decode(secret("prod-db-pipeline"), "username");
        String reader = decode(secret("prod-db-reader"), "username");
        String hex = SpectrumNames.hash(NS + "/prod").substring(0, 10);
        assertThat(List.of(ingest, pipeline, reader)).containsExactly("spectrum_ingest_" + hex, "spectrum_pipeline_" + hex,
                "spectrum_reader_" + hex);

        assertThat(privilege(ingest, "staging.raw_events", "INSERT")).isTrue();
        assertThat(privilege(ingest, "staging.raw_events", "SELECT")).isFalse();
        assertThat(privilege(ingest, "analytics.pipeline_runs", "SELECT")).isFalse();
        assertThat(privilege(reader, "analytics.pipeline_runs", "SELECT")).isTrue();
        assertThat(privilege(reader, "staging.raw_events", "INSERT")).isFalse();
        assertThat(db.value("SELECT string_agg(g.rolname, ',') FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                + " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = '" + ingest + "'", String.class)).isEqualTo("spectrum_ingest");

        // real work as each login (the test server trusts local connections, so no password is asked)
        try (Connection c = as(ingest)) {
            c.createStatement().execute("INSERT INTO staging.raw_events (event_id, event_type, user_id, occurred_at, properties, context,"
                    + " source) VALUES ('" + UUID.randomUUID() + "', 'login_test', 'u1', now(), '{}', '{}', 'test')");
            assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT * FROM analytics.pipeline_runs"))
                    .hasMessageContaining("permission denied");
        }
        try (Connection c = as(pipeline)) {
            c.createStatement().execute("CALL warehouse.run_pipeline()");
        }
        try (Connection c = as(reader)) {
            var rs = c.createStatement().executeQuery("SELECT status FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("succeeded");
            assertThatThrownBy(() -> c.createStatement().execute("INSERT INTO staging.raw_events (event_type) VALUES ('x')"))
                    .hasMessageContaining("permission denied");
        }
        // the server holds the SCRAM verifier of the Secret's password, never the password
        String stored = db.value("SELECT rolpassword FROM pg_authid WHERE rolname = '" + reader + "'", String.class);
        assertThat(stored).startsWith("SCRAM-SHA-256$4096:");
        byte[] salt = Base64.getDecoder().decode(stored.substring(stored.indexOf(':') + 1, stored.indexOf('$', 14)));
        assertThat(ScramVerifier.compute(decode(secret("prod-db-reader"), "password"), salt, 4096)).isEqualTo(stored);
        // the pipeline's last run shows in the status
        await().atMost(WAIT).untilAsserted(() -> {
            var run = Fixture.get(client, NS, "prod").getStatus().getLastPipelineRun();
            assertThat(run).isNotNull();
            assertThat(run.getStatus()).isEqualTo("succeeded");
            assertThat(run.getStartedAt()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        });
    }

    @Test
    void aDeletedLoginSecretComesBackWithANewPasswordAndTheDatasourceFollows() throws Exception {
        String reader = decode(secret("prod-db-reader"), "username");
        String oldPassword = decode(secret("prod-db-reader"), "password");
        String oldVerifier = db.value("SELECT rolpassword FROM pg_authid WHERE rolname = '" + reader + "'", String.class);
        client.secrets().inNamespace(NS).withName("prod-db-reader").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            Secret again = secret("prod-db-reader");
            assertThat(again).isNotNull();
            assertThat(decode(again, "password")).isNotEqualTo(oldPassword).hasSize(32);
            assertThat(db.value("SELECT rolpassword FROM pg_authid WHERE rolname = '" + reader + "'", String.class)).isNotEqualTo(oldVerifier);
            assertThat(decode(secret("prod-grafana-datasource"), "spectrum-external-test-prod.yaml"))
                    .contains("password: \"" + decode(again, "password") + "\"");
        });
        awaitReady(NS, "prod");
    }

    @Test
    void twoSpectrumsShareOneServerWithLoginsOfTheirOwn() throws Exception {
        Fixture.namespace(client, NS2);
        client.secrets().inNamespace(NS2).resource(Fixture.externalSecret(NS2, "pg", second.name(), 5432)).create();
        client.resources(Spectrum.class).inNamespace(NS2).resource(Fixture.external(NS2, "prod", "pg")).create();
        awaitReady(NS2, "prod");
        String first = decode(secret("prod-db-ingest"), "username");
        String other = decode(client.secrets().inNamespace(NS2).withName("prod-db-ingest").get(), "username");
        assertThat(other).isNotEqualTo(first);
        assertThat(second.value("SELECT has_table_privilege('" + other + "', 'staging.raw_events', 'INSERT')", Boolean.class)).isTrue();
        // each database was migrated, and the first Spectrum is still Ready
        assertThat(second.value("SELECT to_regclass('warehouse.fact_events') IS NOT NULL", Boolean.class)).isTrue();
        assertThat(condition(Fixture.get(client, NS, "prod").getStatus().getConditions(), "Ready")).isEqualTo("True");
    }

    @Test
    void aChangedDatabaseKindIsRefusedWithWhatToDo() {
        Spectrum s = Fixture.get(client, NS, "prod");
        var managed = new SpectrumSpec.Managed();
        s.getSpec().getDatabase().setExternal(null);
        s.getSpec().getDatabase().setManaged(managed);
        client.resources(Spectrum.class).inNamespace(NS).resource(s).update();
        await().atMost(WAIT).untilAsserted(() -> {
            var ready = conditionOf(Fixture.get(client, NS, "prod"), "Ready");
            assertThat(ready.getStatus()).isEqualTo("False");
            assertThat(ready.getReason()).isEqualTo("DatabaseKindChanged");
            assertThat(ready.getMessage()).contains("cannot change from external to managed");
        });
        assertThat(client.apps().statefulSets().inNamespace(NS).withName("prod-db").get()).isNull();
        Spectrum back = Fixture.get(client, NS, "prod");
        back.getSpec().getDatabase().setManaged(null);
        back.getSpec().getDatabase().setExternal(Fixture.external(NS, "prod", "pg").getSpec().getDatabase().getExternal());
        client.resources(Spectrum.class).inNamespace(NS).resource(back).update();
        awaitReady(NS, "prod");
    }

    private Secret secret(String name) {
        return client.secrets().inNamespace(NS).withName(name).get();
    }

    private boolean privilege(String login, String table, String privilege) throws SQLException {
        return db.value("SELECT has_table_privilege('" + login + "', '" + table + "', '" + privilege + "')", Boolean.class);
    }

    private Connection as(String login) throws SQLException {
        return DriverManager.getConnection(db.url(), login, "");
    }
}
