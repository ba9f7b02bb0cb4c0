package dev.spectrum.operator.spectrum.state;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumSpec;
import dev.spectrum.operator.common.Reasons;
import dev.spectrum.operator.spectrum.database.AddressMap;
import dev.spectrum.operator.spectrum.database.DatabaseSetup;
import dev.spectrum.operator.spectrum.model.CloudNativePGCluster;
import dev.spectrum.operator.spectrum.model.Connection;
import dev.spectrum.operator.spectrum.model.SecretModel;
import dev.spectrum.operator.spectrum.model.SpectrumNames;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where a Spectrum's database is and how the operator logs in to it, for each kind (crds.md):
 * external (the user's Secret, read again at every reconcile), managed (the StatefulSet's
 * superuser, acting as the owner login {@code spectrum}) and CloudNativePG (the owner Secret,
 * once the Cluster is ready). Passwords are only ever handed to the JDBC driver.
 */
public record SpectrumDatabase(String kind, Connection connection, String user, String password, String role,
                               AddressMap.Target target) {

    /** Why the database of a Spectrum cannot be used yet; the reason is a condition reason. */
    public static class Unavailable extends Exception {
        public final String reason;

        public Unavailable(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    public static SpectrumDatabase of(Spectrum spectrum, KubernetesClient client, AddressMap addresses) throws Unavailable {
        SpectrumSpec.Database database = spectrum.getSpec() == null ? null : spectrum.getSpec().getDatabase();
        String kind = database == null ? null : database.kind();
        String namespace = spectrum.getMetadata().getNamespace();
        SpectrumNames names = new SpectrumNames(namespace, spectrum.getMetadata().getName());
        if (kind == null) {
            throw new Unavailable(Reasons.INVALID_SPEC, "spec.database must set exactly one of managed, external and cloudNativePG");
        }
        switch (kind) {
            case "external" -> {
                String name = database.getExternal().getSecretRef().getName();
                Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
                if (secret == null) {
                    throw new Unavailable(Reasons.SECRET_NOT_FOUND, "Secret " + namespace + "/" + name
                            + " does not exist; create it with keys host, port, database, username, password");
                }
                String host = required(secret, "host");
                String port = SecretModel.value(secret, "port");
                int portNumber;
                try {
                    portNumber = port == null ? 5432 : Integer.parseInt(port.trim());
                } catch (NumberFormatException e) {
                    throw new Unavailable(Reasons.INVALID_SECRET, "Secret " + name + ": port '" + port + "' is not a number");
                }
                Connection connection = new Connection(host, portNumber, required(secret, "database"), SecretModel.value(secret, "sslmode"));
                return new SpectrumDatabase(kind, connection, required(secret, "username"), SecretModel.value(secret, "password"), null,
                        addresses.resolve(connection.host(), connection.port(), connection.database()));
            }
            case "managed" -> {
                Secret secret = client.secrets().inNamespace(namespace).withName(names.superuserSecret()).get();
                StatefulSet statefulSet = client.apps().statefulSets().inNamespace(namespace).withName(names.database()).get();
                if (secret == null || statefulSet == null) {
                    throw new Unavailable(Reasons.PROVISIONING, "creating the StatefulSet " + names.database() + " and its superuser Secret");
                }
                Integer ready = statefulSet.getStatus() == null ? null : statefulSet.getStatus().getReadyReplicas();
                if (ready == null || ready < 1) {
                    throw new Unavailable(Reasons.STARTING, "waiting for the PostgreSQL pod of StatefulSet " + names.database()
                            + " to be ready (pg_isready)");
                }
                Connection connection = new Connection(names.managedHost(), SpectrumNames.POSTGRES_PORT, SpectrumNames.DATABASE, "prefer");
                return new SpectrumDatabase(kind, connection, SpectrumNames.SUPERUSER, SecretModel.value(secret, "password"),
                        SpectrumNames.OWNER_LOGIN, addresses.resolve(connection.host(), connection.port(), connection.database()));
            }
            default -> {
                if (client.apiextensions().v1().customResourceDefinitions().withName(CloudNativePGCluster.CRD).get() == null) {
                    throw new Unavailable(Reasons.CNPG_NOT_INSTALLED, "the CRD " + CloudNativePGCluster.CRD + " is absent: install the"
                            + " CloudNativePG operator (no restart of this operator needed) or use spec.database.managed");
                }
                CloudNativePGCluster cluster = client.resources(CloudNativePGCluster.class).inNamespace(namespace)
                        .withName(names.database()).get();
                Secret secret = client.secrets().inNamespace(namespace).withName(names.ownerSecret()).get();
                if (cluster == null || secret == null) {
                    throw new Unavailable(Reasons.PROVISIONING, "creating the CloudNativePG Cluster " + names.database());
                }
                if (!cluster.ready()) {
                    String phase = cluster.getStatus() == null ? null : cluster.getStatus().getPhase();
                    throw new Unavailable(Reasons.STARTING, "waiting for the CloudNativePG Cluster " + names.database() + " to be ready"
                            + (phase == null ? "" : " (phase: " + phase + ")"));
                }
                // CloudNativePG serves TLS: require, unless the owner Secret says otherwise
                String sslmode = SecretModel.value(secret, "sslmode");
                Connection connection = new Connection(names.cloudNativePGHost(), SpectrumNames.POSTGRES_PORT, SpectrumNames.DATABASE,
                        sslmode == null ? "require" : sslmode);
                return new SpectrumDatabase(kind, connection, SpectrumNames.OWNER_LOGIN, SecretModel.value(secret, "password"), null,
                        addresses.resolve(connection.host(), connection.port(), connection.database()));
            }
        }
    }

    private static String required(Secret secret, String key) throws Unavailable {
        String value = SecretModel.value(secret, key);
        if (value == null) {
            throw new Unavailable(Reasons.INVALID_SECRET, "Secret " + secret.getMetadata().getName() + " has no key '" + key
                    + "' (it needs host, port, database, username, password)");
        }
        return value;
    }

    public String describe() {
        return connection.host() + ":" + connection.port() + "/" + connection.database();
    }

    /** As the owner of the database (for the managed kind: the superuser acting as login spectrum). */
    public DataSource dataSource() {
        PGSimpleDataSource dataSource = dataSource(target.database());
        if (role != null) {
            dataSource.setOptions("-c role=" + role);
        }
        return dataSource;
    }

    /** Managed only: creates login and database spectrum through the superuser. */
    public void bootstrap() throws SQLException {
        if ("managed".equals(kind)) {
            DatabaseSetup.bootstrapManaged(dataSource("postgres"), target.database(), SpectrumNames.OWNER_LOGIN);
        }
    }

    private PGSimpleDataSource dataSource(String database) {
        var dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {target.host()});
        dataSource.setPortNumbers(new int[] {target.port()});
        dataSource.setDatabaseName(database);
        dataSource.setUser(user);
        dataSource.setPassword(password == null ? "" : password);
        dataSource.setConnectTimeout(5);
        dataSource.setSocketTimeout(120);
        dataSource.setApplicationName("spectrum-operator");
        if (connection.sslmode() != null && !"managed".equals(kind)) {
            dataSource.setSslMode(connection.sslmode());
        }
        return dataSource;
    }

    @Override
    public String toString() {
        return "SpectrumDatabase[" + kind + " " + describe() + "]"; // never the password
    }
}
