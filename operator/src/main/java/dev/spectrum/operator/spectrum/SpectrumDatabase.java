package dev.spectrum.operator.spectrum;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The database of a Spectrum with spec.database.external: connection details from its Secret
 * (keys host, port, database, username, password, optional sslmode). The password is only ever
 * handed to the JDBC driver, never written anywhere.
 */
public record SpectrumDatabase(String secretName, String host, int port, String database, String username,
                               String password, String sslmode) {

    /** Why the database of a Spectrum cannot be used; the reason is a condition reason. */
    public static class Unavailable extends Exception {
        public final String reason;

        public Unavailable(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    public static SpectrumDatabase of(Spectrum spectrum, KubernetesClient client) throws Unavailable {
        var database = spectrum.getSpec() == null ? null : spectrum.getSpec().getDatabase();
        if (database == null || database.getExternal() == null || database.getExternal().getSecretRef() == null) {
            throw new Unavailable("NotYetHandled", "this version of the operator connects to spec.database.external only;"
                    + " managed and cloudNativePG databases come in a later version");
        }
        String name = database.getExternal().getSecretRef().getName();
        String namespace = spectrum.getMetadata().getNamespace();
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            throw new Unavailable("SecretNotFound", "Secret " + namespace + "/" + name
                    + " does not exist; create it with keys host, port, database, username, password");
        }
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        String host = key(secret, data, "host", true);
        String port = key(secret, data, "port", false);
        try {
            return new SpectrumDatabase(name, host, port == null ? 5432 : Integer.parseInt(port.trim()),
                    key(secret, data, "database", true), key(secret, data, "username", true),
                    key(secret, data, "password", false), key(secret, data, "sslmode", false));
        } catch (NumberFormatException e) {
            throw new Unavailable("InvalidSecret", "Secret " + name + ": port '" + port + "' is not a number");
        }
    }

    private static String key(Secret secret, Map<String, String> data, String key, boolean required) throws Unavailable {
        String encoded = data.get(key);
        if (encoded == null && secret.getStringData() != null) {
            return secret.getStringData().get(key);
        }
        if (encoded == null) {
            if (required) {
                throw new Unavailable("InvalidSecret", "Secret " + secret.getMetadata().getName() + " has no key '" + key
                        + "' (it needs host, port, database, username, password)");
            }
            return null;
        }
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    public String describe() {
        return host + ":" + port + "/" + database;
    }

    public DataSource dataSource() {
        var dataSource = new PGSimpleDataSource();
        dataSource.setServerNames(new String[] {host});
        dataSource.setPortNumbers(new int[] {port});
        dataSource.setDatabaseName(database);
        dataSource.setUser(username);
        dataSource.setPassword(password == null ? "" : password);
        dataSource.setConnectTimeout(5);
        dataSource.setSocketTimeout(120);
        dataSource.setApplicationName("spectrum-operator");
        if (sslmode != null) {
            dataSource.setSslMode(sslmode);
        }
        return dataSource;
    }
}
