package dev.spectrum.operator.spectrum.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Every name derived from a Spectrum (crds.md, "Spectrum in detail"), in one place. A name that
 * would pass its Kubernetes limit (63, or 52 for a CronJob, whose Jobs add 11 characters) becomes
 * a prefix, '-' and 5 hex characters of a hash of the whole name, so it stays unique and stable.
 */
public final class SpectrumNames {

    public static final int NAME_LIMIT = 63;
    public static final int CRONJOB_LIMIT = 52;
    /** The database a managed or CloudNativePG Spectrum uses, and the login that owns it. */
    public static final String DATABASE = "spectrum";
    public static final String OWNER_LOGIN = "spectrum";
    public static final String SUPERUSER = "postgres";
    public static final int POSTGRES_PORT = 5432;

    private final String name;
    private final String namespace;

    public SpectrumNames(String namespace, String name) {
        this.namespace = namespace;
        this.name = name;
    }

    public String spectrum() { return name; }
    public String namespace() { return namespace; }

    /** The managed database's StatefulSet and Service, and the CloudNativePG Cluster. */
    public String database() { return limit(name + "-db", NAME_LIMIT); }
    public String superuserSecret() { return limit(name + "-db-superuser", NAME_LIMIT); }
    public String ownerSecret() { return limit(name + "-db-owner", NAME_LIMIT); }
    /** The Secret of a component's login (ingest, pipeline, reader). */
    public String loginSecret(Component component) { return limit(name + "-db-" + component.id(), NAME_LIMIT); }
    public String defaultWriteKeysSecret() { return limit(name + "-write-keys", NAME_LIMIT); }
    public String ingest() { return limit(name + "-ingest", NAME_LIMIT); }
    public String pipelineCronJob() { return limit(name + "-pipeline", CRONJOB_LIMIT); }
    public String dashboardConfigMap(String dashboard) { return limit(name + "-dashboard-" + dashboard, NAME_LIMIT); }
    public String datasourceSecret() { return limit(name + "-grafana-datasource", NAME_LIMIT); }
    public String datasourceKey() { return "spectrum-" + namespace + "-" + name + ".yaml"; }
    public String datasourceName() { return "Spectrum " + namespace + "/" + name; }
    public String datasourceUid() { return "spx-" + hash(namespace + "/" + name).substring(0, 12); }

    /** The managed database's in-cluster host (its Service). */
    public String managedHost() { return database() + "." + namespace + ".svc"; }
    /** The CloudNativePG read-write Service host. */
    public String cloudNativePGHost() { return limit(database() + "-rw", NAME_LIMIT) + "." + namespace + ".svc"; }
    public String ingestEndpoint() { return "http://" + ingest() + "." + namespace + ".svc"; }

    /** A component's login: server-wide, so unique per namespace/name (two Spectrums may share a server). */
    public String login(Component component) {
        return "spectrum_" + component.id() + "_" + hash(namespace + "/" + name).substring(0, 10);
    }

    /** The refresh CronJob and the SQL ConfigMap of a definition (kind funnel or experiment). */
    public static String definitionConfigMap(String kind, String definition) { return limit(kind + "-" + definition + "-sql", NAME_LIMIT); }
    public static String definitionCronJob(String kind, String definition) { return limit(kind + "-" + definition + "-refresh", CRONJOB_LIMIT); }

    /** The name itself when within the limit; otherwise a prefix, '-' and 5 hex of sha256(name). */
    public static String limit(String full, int max) {
        if (full.length() <= max) {
            return full;
        }
        String prefix = full.substring(0, max - 6);
        while (prefix.endsWith("-") || prefix.endsWith(".")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        return prefix + "-" + hash(full).substring(0, 5);
    }

    public static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The three component logins. */
    public enum Component {
        INGEST("ingest", "spectrum_ingest"),
        PIPELINE("pipeline", "spectrum_pipeline"),
        READER("reader", "spectrum_reader");

        private final String id;
        private final String role;

        Component(String id, String role) {
            this.id = id;
            this.role = role;
        }

        public String id() { return id; }
        /** The role (created by the migrations) the login is a member of, and of nothing else. */
        public String role() { return role; }
    }
}
