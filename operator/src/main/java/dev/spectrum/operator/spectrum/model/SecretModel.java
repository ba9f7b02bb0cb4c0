package dev.spectrum.operator.spectrum.model;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Secrets a Spectrum generates: component logins, the managed superuser, the CloudNativePG
 * owner, the write keys and the Grafana datasource. Values go into {@code data} (base64), as the
 * API server returns them, so an unchanged Secret compares equal.
 */
public final class SecretModel {

    private SecretModel() {
    }

    /** {@code <s>-db-<component>}: the same keys as an external database's Secret, username = the login. */
    public static Secret login(Spectrum spectrum, SpectrumNames.Component component, Connection connection, String password) {
        SpectrumNames names = names(spectrum);
        Map<String, String> data = connectionData(connection, names.login(component), password);
        return secret(Labels.owned(spectrum, names.loginSecret(component), "database"), "Opaque", data);
    }

    /** {@code <s>-db-superuser} of a managed database (retained with the data under deletionPolicy Retain). */
    public static Secret superuser(Spectrum spectrum, String password, boolean retain) {
        SpectrumNames names = names(spectrum);
        Map<String, String> data = new LinkedHashMap<>();
        data.put("username", SpectrumNames.SUPERUSER);
        data.put("password", password);
        return secret(Labels.data(spectrum, names.superuserSecret(), "database", retain), "kubernetes.io/basic-auth", data);
    }

    /** {@code <s>-db-owner}: CloudNativePG's bootstrap secret (basic-auth) plus host, port and database. */
    public static Secret owner(Spectrum spectrum, String password, boolean retain) {
        SpectrumNames names = names(spectrum);
        Map<String, String> data = connectionData(new Connection(names.cloudNativePGHost(), SpectrumNames.POSTGRES_PORT,
                SpectrumNames.DATABASE, "require"), SpectrumNames.OWNER_LOGIN, password);
        return secret(Labels.data(spectrum, names.ownerSecret(), "database", retain), "kubernetes.io/basic-auth", data);
    }

    /** The write keys Secret with one generated key named default. */
    public static Secret writeKeys(Spectrum spectrum, String name, String key, boolean retain) {
        return secret(Labels.data(spectrum, name, "ingest", retain), "Opaque", Map.of("default", key));
    }

    /** The Grafana datasource (provisioning YAML) for the reader login, labelled for Grafana's sidecar. */
    public static Secret datasource(Spectrum spectrum, Connection connection, String readerPassword) {
        SpectrumNames names = names(spectrum);
        ObjectMeta meta = Labels.owned(spectrum, names.datasourceSecret(), "grafana");
        meta.getLabels().put("grafana_datasource", "1");
        String yaml = "apiVersion: 1\n"
                + "datasources:\n"
                + "  - name: " + yamlString(names.datasourceName()) + "\n"
                + "    uid: " + names.datasourceUid() + "\n"
                + "    type: grafana-postgresql-datasource\n"
                + "    access: proxy\n"
                + "    url: " + yamlString(connection.host() + ":" + connection.port()) + "\n"
                + "    user: " + yamlString(names.login(SpectrumNames.Component.READER)) + "\n"
                + "    jsonData:\n"
                + "      database: " + yamlString(connection.database()) + "\n"
                + "      sslmode: " + yamlString(grafanaSslMode(connection.sslmode())) + "\n"
                + "      postgresVersion: 1500\n"
                + "      timescaledb: false\n"
                + "    secureJsonData:\n"
                + "      password: " + yamlString(readerPassword) + "\n"
                + "    editable: false\n";
        return secret(meta, "Opaque", Map.of(names.datasourceKey(), yaml));
    }

    /** Grafana's PostgreSQL datasource knows disable, require, verify-ca, verify-full (prefer and allow: disable). */
    static String grafanaSslMode(String sslmode) {
        return switch (sslmode) {
            case "require", "verify-ca", "verify-full" -> sslmode;
            default -> "disable";
        };
    }

    /** A double-quoted YAML scalar (JSON string rules), so no value can break out of its line. */
    static String yamlString(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    public static Map<String, String> connectionData(Connection connection, String username, String password) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("host", connection.host());
        data.put("port", String.valueOf(connection.port()));
        data.put("database", connection.database());
        data.put("username", username);
        data.put("password", password);
        data.put("sslmode", connection.sslmode());
        return data;
    }

    /** A key of a Secret, decoded (data or stringData), or null. */
    public static String value(Secret secret, String key) {
        if (secret == null) {
            return null;
        }
        if (secret.getData() != null && secret.getData().get(key) != null) {
            return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
        }
        return secret.getStringData() == null ? null : secret.getStringData().get(key);
    }

    /** A hash of Secrets' contents for a pod template annotation: a changed Secret rolls the pods. */
    public static String contentHash(Secret... secrets) {
        StringBuilder text = new StringBuilder();
        for (Secret secret : secrets) {
            if (secret == null) {
                text.append("-\n");
                continue;
            }
            text.append(secret.getMetadata().getName()).append('\n');
            new java.util.TreeMap<>(secret.getData() == null ? Map.<String, String>of() : secret.getData())
                    .forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        }
        return SpectrumNames.hash(text.toString()).substring(0, 16);
    }

    private static Secret secret(ObjectMeta meta, String type, Map<String, String> values) {
        Map<String, String> data = new LinkedHashMap<>();
        values.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return new SecretBuilder().withMetadata(meta).withType(type).withData(data).build();
    }

    private static SpectrumNames names(Spectrum spectrum) {
        return new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName());
    }
}
