package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** What a Spectrum installation consists of. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SpectrumSpec {

    @Required
    @JsonPropertyDescription("Exactly one of managed, external, cloudNativePG.")
    private Database database;

    @JsonPropertyDescription("The ingest Deployment (not yet handled by this version of the operator).")
    private Ingest ingest;

    @JsonPropertyDescription("The pipeline CronJob (not yet handled by this version of the operator).")
    private Pipeline pipeline;

    @JsonPropertyDescription("Grafana dashboards and datasource (not yet handled by this version of the operator).")
    private Grafana grafana;

    @Default("UTC")
    @JsonPropertyDescription("The only value v1alpha1 accepts; periods in analytics views are UTC.")
    private Timezone timezone;

    public Database getDatabase() { return database; }
    public void setDatabase(Database database) { this.database = database; }
    public Ingest getIngest() { return ingest; }
    public void setIngest(Ingest ingest) { this.ingest = ingest; }
    public Pipeline getPipeline() { return pipeline; }
    public void setPipeline(Pipeline pipeline) { this.pipeline = pipeline; }
    public Grafana getGrafana() { return grafana; }
    public void setGrafana(Grafana grafana) { this.grafana = grafana; }
    public Timezone getTimezone() { return timezone; }
    public void setTimezone(Timezone timezone) { this.timezone = timezone; }

    /** The only timezone of v1alpha1. */
    public enum Timezone { UTC }

    /** Where the database is. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "(has(self.managed) ? 1 : 0) + (has(self.external) ? 1 : 0) + (has(self.cloudNativePG) ? 1 : 0) == 1",
            message = "set exactly one of managed, external and cloudNativePG")
    public static class Database {
        @JsonPropertyDescription("A single PostgreSQL StatefulSet with a PVC (not yet handled by this version).")
        private Managed managed;
        @JsonPropertyDescription("An existing server, through a Secret with host, port, database, username, password, optional sslmode.")
        private External external;
        @JsonPropertyDescription("A CloudNativePG Cluster (not yet handled by this version).")
        private CloudNativePG cloudNativePG;

        public Managed getManaged() { return managed; }
        public void setManaged(Managed managed) { this.managed = managed; }
        public External getExternal() { return external; }
        public void setExternal(External external) { this.external = external; }
        public CloudNativePG getCloudNativePG() { return cloudNativePG; }
        public void setCloudNativePG(CloudNativePG cloudNativePG) { this.cloudNativePG = cloudNativePG; }
    }

    /** A managed PostgreSQL. */
    public static class Managed {
        @JsonPropertyDescription("PVC size, e.g. 20Gi.")
        private String storage;
        @Default("postgres:16")
        @JsonPropertyDescription("The PostgreSQL image.")
        private String image;
        public String getStorage() { return storage; }
        public void setStorage(String storage) { this.storage = storage; }
        public String getImage() { return image; }
        public void setImage(String image) { this.image = image; }
    }

    /** An existing PostgreSQL. */
    public static class External {
        @Required
        @JsonPropertyDescription("The Secret (same namespace) with keys host, port, database, username, password and optionally sslmode.")
        private SpectrumRef secretRef;
        public SpectrumRef getSecretRef() { return secretRef; }
        public void setSecretRef(SpectrumRef secretRef) { this.secretRef = secretRef; }
    }

    /** A CloudNativePG cluster. */
    public static class CloudNativePG {
        @Min(1)
        @JsonPropertyDescription("Instances of the cluster.")
        private Integer instances;
        @JsonPropertyDescription("PVC size per instance.")
        private String storage;
        public Integer getInstances() { return instances; }
        public void setInstances(Integer instances) { this.instances = instances; }
        public String getStorage() { return storage; }
        public void setStorage(String storage) { this.storage = storage; }
    }

    /** The ingest Deployment's settings. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Ingest {
        @Min(0)
        @JsonPropertyDescription("Replicas.")
        private Integer replicas;
        @JsonPropertyDescription("The image (default: this release's).")
        private String image;
        @PreserveUnknownFields
        @JsonPropertyDescription("Container resources.")
        private JsonNode resources;
        @PreserveUnknownFields
        @JsonPropertyDescription("minReplicas, maxReplicas, targetCPUUtilizationPercentage.")
        private JsonNode autoscaling;
        @JsonPropertyDescription("The Secret of write keys (name -> key).")
        private SpectrumRef writeKeysSecretRef;
        public Integer getReplicas() { return replicas; }
        public void setReplicas(Integer replicas) { this.replicas = replicas; }
        public String getImage() { return image; }
        public void setImage(String image) { this.image = image; }
        public JsonNode getResources() { return resources; }
        public void setResources(JsonNode resources) { this.resources = resources; }
        public JsonNode getAutoscaling() { return autoscaling; }
        public void setAutoscaling(JsonNode autoscaling) { this.autoscaling = autoscaling; }
        public SpectrumRef getWriteKeysSecretRef() { return writeKeysSecretRef; }
        public void setWriteKeysSecretRef(SpectrumRef writeKeysSecretRef) { this.writeKeysSecretRef = writeKeysSecretRef; }
    }

    /** The pipeline's schedule. */
    public static class Pipeline {
        @Default("\"*/5 * * * *\"")
        @JsonPropertyDescription("A cron schedule with five fields.")
        private String schedule;
        public String getSchedule() { return schedule; }
        public void setSchedule(String schedule) { this.schedule = schedule; }
    }

    /** Grafana integration. */
    public static class Grafana {
        @Default("true")
        @JsonPropertyDescription("Dashboard ConfigMaps labelled grafana_dashboard: \"1\".")
        private Boolean dashboards;
        @Default("true")
        @JsonPropertyDescription("A datasource Secret labelled grafana_datasource: \"1\", with the read-only login.")
        private Boolean datasource;
        public Boolean getDashboards() { return dashboards; }
        public void setDashboards(Boolean dashboards) { this.dashboards = dashboards; }
        public Boolean getDatasource() { return datasource; }
        public void setDatasource(Boolean datasource) { this.datasource = datasource; }
    }
}
