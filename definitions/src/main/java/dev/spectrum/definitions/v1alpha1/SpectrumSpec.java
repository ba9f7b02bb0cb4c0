package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** What a Spectrum installation consists of. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SpectrumSpec {

    @Required
    @JsonPropertyDescription("Exactly one of managed, external, cloudNativePG.")
    private Database database;

    @JsonPropertyDescription("The ingest Deployment, Service and optional HorizontalPodAutoscaler.")
    private Ingest ingest;

    @JsonPropertyDescription("The pipeline CronJob.")
    private Pipeline pipeline;

    @JsonPropertyDescription("Grafana dashboards (ConfigMaps) and datasource (Secret).")
    private Grafana grafana;

    @JsonPropertyDescription("How long staging rows and events are kept (data-model.md, Data lifecycle).")
    private DataRetention dataRetention;

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
    public DataRetention getDataRetention() { return dataRetention; }
    public void setDataRetention(DataRetention dataRetention) { this.dataRetention = dataRetention; }
    public Timezone getTimezone() { return timezone; }
    public void setTimezone(Timezone timezone) { this.timezone = timezone; }

    /** A Kubernetes quantity such as 20Gi or 500M. */
    public static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";
    /** A retention: a whole number of hours or days. */
    public static final String RETENTION = "^[1-9][0-9]{0,5}[hd]$";

    /** The only timezone of v1alpha1. */
    public enum Timezone { UTC }

    /** A transition rule (evaluated on update only): the kind of database stays the one first set. */
    public static final String KIND_UNCHANGED = "has(self.managed) == has(oldSelf.managed) && has(self.external) == has(oldSelf.external)"
            + " && has(self.cloudNativePG) == has(oldSelf.cloudNativePG)";

    /** What happens to the data when the Spectrum is deleted. */
    public enum DeletionPolicy { Retain, Delete }

    /** Where the database is. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "(has(self.managed) ? 1 : 0) + (has(self.external) ? 1 : 0) + (has(self.cloudNativePG) ? 1 : 0) == 1",
            message = "set exactly one of managed, external and cloudNativePG")
    @ValidationRule(value = KIND_UNCHANGED, message = "the database kind (managed, external, cloudNativePG) cannot change once set;"
            + " create a new Spectrum to move to another kind")
    public static class Database {
        @JsonPropertyDescription("A single PostgreSQL StatefulSet with a PVC (dev and small installs).")
        private Managed managed;
        @JsonPropertyDescription("An existing server, through a Secret with host, port, database, username, password, optional sslmode.")
        private External external;
        @JsonPropertyDescription("A CloudNativePG Cluster (HA, replicas), when the CloudNativePG operator is installed.")
        private CloudNativePG cloudNativePG;
        @Default("Retain")
        @JsonPropertyDescription("Retain (default): the data (PVCs, the CloudNativePG Cluster, generated database and write-key Secrets)"
                + " outlives the Spectrum and a re-created Spectrum of the same name adopts it; Delete: it goes with the Spectrum.")
        private DeletionPolicy deletionPolicy;

        public DeletionPolicy getDeletionPolicy() { return deletionPolicy; }
        public void setDeletionPolicy(DeletionPolicy deletionPolicy) { this.deletionPolicy = deletionPolicy; }

        /** managed, external or cloudNativePG: the one that is set (null when none or several). */
        public String kind() {
            int set = (managed != null ? 1 : 0) + (external != null ? 1 : 0) + (cloudNativePG != null ? 1 : 0);
            if (set != 1) {
                return null;
            }
            return managed != null ? "managed" : external != null ? "external" : "cloudNativePG";
        }

        public Managed getManaged() { return managed; }
        public void setManaged(Managed managed) { this.managed = managed; }
        public External getExternal() { return external; }
        public void setExternal(External external) { this.external = external; }
        public CloudNativePG getCloudNativePG() { return cloudNativePG; }
        public void setCloudNativePG(CloudNativePG cloudNativePG) { this.cloudNativePG = cloudNativePG; }
    }

    /** A managed PostgreSQL. */
    public static class Managed {
        @Default("20Gi")
        @Pattern(QUANTITY)
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
        private LocalSecretReference secretRef;
        public LocalSecretReference getSecretRef() { return secretRef; }
        public void setSecretRef(LocalSecretReference secretRef) { this.secretRef = secretRef; }
    }

    /** A CloudNativePG cluster. */
    public static class CloudNativePG {
        @Min(1)
        @Default("1")
        @JsonPropertyDescription("Instances of the cluster (1 primary and instances - 1 replicas).")
        private Integer instances;
        @Default("20Gi")
        @Pattern(QUANTITY)
        @JsonPropertyDescription("PVC size per instance, e.g. 100Gi.")
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
        @Default("2")
        @JsonPropertyDescription("Replicas (ignored while autoscaling is set: the autoscaler owns the count).")
        private Integer replicas;
        @JsonPropertyDescription("The image (default: this release's spectrum image, an operator setting).")
        private String image;
        @JsonPropertyDescription("Container resources (requests and limits).")
        private ResourceRequirements resources;
        @JsonPropertyDescription("A HorizontalPodAutoscaler on CPU; the Deployment then has no replicas of its own.")
        private Autoscaling autoscaling;
        @JsonPropertyDescription("The Secret of write keys (one entry per key: name -> key); default <name>-write-keys,"
                + " created with one generated key named default when absent.")
        private LocalSecretReference writeKeysSecretRef;
        public Integer getReplicas() { return replicas; }
        public void setReplicas(Integer replicas) { this.replicas = replicas; }
        public String getImage() { return image; }
        public void setImage(String image) { this.image = image; }
        public ResourceRequirements getResources() { return resources; }
        public void setResources(ResourceRequirements resources) { this.resources = resources; }
        public Autoscaling getAutoscaling() { return autoscaling; }
        public void setAutoscaling(Autoscaling autoscaling) { this.autoscaling = autoscaling; }
        public LocalSecretReference getWriteKeysSecretRef() { return writeKeysSecretRef; }
        public void setWriteKeysSecretRef(LocalSecretReference writeKeysSecretRef) { this.writeKeysSecretRef = writeKeysSecretRef; }
    }

    /** A CPU-based HorizontalPodAutoscaler for the ingest Deployment. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "!has(self.minReplicas) || self.minReplicas <= self.maxReplicas",
            message = "minReplicas must not exceed maxReplicas")
    public static class Autoscaling {
        @Min(1)
        @Default("1")
        @JsonPropertyDescription("The fewest replicas.")
        private Integer minReplicas;
        @Required
        @Min(1)
        @JsonPropertyDescription("The most replicas.")
        private Integer maxReplicas;
        @Min(1)
        @Max(100)
        @Default("70")
        @JsonPropertyDescription("The average CPU utilization (percent of requests) the autoscaler aims for.")
        private Integer targetCPUUtilizationPercentage;
        public Integer getMinReplicas() { return minReplicas; }
        public void setMinReplicas(Integer minReplicas) { this.minReplicas = minReplicas; }
        public Integer getMaxReplicas() { return maxReplicas; }
        public void setMaxReplicas(Integer maxReplicas) { this.maxReplicas = maxReplicas; }
        public Integer getTargetCPUUtilizationPercentage() { return targetCPUUtilizationPercentage; }
        public void setTargetCPUUtilizationPercentage(Integer target) { this.targetCPUUtilizationPercentage = target; }
    }

    /** Retention of staging rows and events (data-model.md, Data lifecycle). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DataRetention {
        @Default("7d")
        @Pattern(RETENTION)
        @JsonPropertyDescription("Loaded staging rows older than this are removed (1h to 3650d; units h, d).")
        private String staging;
        @Pattern(RETENTION)
        @JsonPropertyDescription("Optional: events older than this are dropped and no longer loaded (at least 31d, e.g. 730d).")
        private String events;
        public String getStaging() { return staging; }
        public void setStaging(String staging) { this.staging = staging; }
        public String getEvents() { return events; }
        public void setEvents(String events) { this.events = events; }
    }

    /** The pipeline's schedule. */
    public static class Pipeline {
        @Default("\"*/5 * * * *\"")
        @Pattern("^\\S+( \\S+){4}$")
        @JsonPropertyDescription("A cron schedule with five fields (UTC).")
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
