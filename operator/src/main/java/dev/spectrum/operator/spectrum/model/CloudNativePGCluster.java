package dev.spectrum.operator.spectrum.model;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few fields of CloudNativePG's {@code postgresql.cnpg.io/v1 Cluster} Spectrum writes and reads.
 * Fields it does not know (defaults CloudNativePG fills in) are kept as they are, so a write never
 * drops them.
 */
@Group(CloudNativePGCluster.GROUP)
@Version("v1")
@Kind("Cluster")
@Plural("clusters")
public class CloudNativePGCluster extends CustomResource<CloudNativePGCluster.Spec, CloudNativePGCluster.Status> implements Namespaced {

    public static final String GROUP = "postgresql.cnpg.io";
    /** The CRD whose presence says that CloudNativePG is installed. */
    public static final String CRD = "clusters.postgresql.cnpg.io";

    /** Ready when its Ready condition is True and every instance is ready (crds.md). */
    public boolean ready() {
        Status status = getStatus();
        if (status == null || getSpec() == null || getSpec().getInstances() == null) {
            return false;
        }
        boolean readyCondition = status.getConditions() != null && status.getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        return readyCondition && status.getReadyInstances() != null && status.getReadyInstances().equals(getSpec().getInstances());
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Spec {
        private Integer instances;
        private Storage storage;
        private Bootstrap bootstrap;
        private final Map<String, Object> other = new LinkedHashMap<>();

        public Integer getInstances() { return instances; }
        public void setInstances(Integer instances) { this.instances = instances; }
        public Storage getStorage() { return storage; }
        public void setStorage(Storage storage) { this.storage = storage; }
        public Bootstrap getBootstrap() { return bootstrap; }
        public void setBootstrap(Bootstrap bootstrap) { this.bootstrap = bootstrap; }
        @JsonAnyGetter
        public Map<String, Object> getOther() { return other; }
        @JsonAnySetter
        public void setOther(String key, Object value) { other.put(key, value); }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Storage {
        private String size;
        public Storage() { }
        public Storage(String size) { this.size = size; }
        public String getSize() { return size; }
        public void setSize(String size) { this.size = size; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Bootstrap {
        private InitDB initdb;
        public Bootstrap() { }
        public Bootstrap(InitDB initdb) { this.initdb = initdb; }
        public InitDB getInitdb() { return initdb; }
        public void setInitdb(InitDB initdb) { this.initdb = initdb; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class InitDB {
        private String database;
        private String owner;
        private SecretName secret;
        private List<String> postInitSQL;
        public InitDB() { }
        public InitDB(String database, String owner, SecretName secret, List<String> postInitSQL) {
            this.database = database;
            this.owner = owner;
            this.secret = secret;
            this.postInitSQL = postInitSQL;
        }
        public String getDatabase() { return database; }
        public void setDatabase(String database) { this.database = database; }
        public String getOwner() { return owner; }
        public void setOwner(String owner) { this.owner = owner; }
        public SecretName getSecret() { return secret; }
        public void setSecret(SecretName secret) { this.secret = secret; }
        public List<String> getPostInitSQL() { return postInitSQL; }
        public void setPostInitSQL(List<String> postInitSQL) { this.postInitSQL = postInitSQL; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class SecretName {
        private String name;
        public SecretName() { }
        public SecretName(String name) { this.name = name; }
        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Status {
        private Integer instances;
        private Integer readyInstances;
        private String phase;
        private List<Condition> conditions = new ArrayList<>();
        public Integer getInstances() { return instances; }
        public void setInstances(Integer instances) { this.instances = instances; }
        public Integer getReadyInstances() { return readyInstances; }
        public void setReadyInstances(Integer readyInstances) { this.readyInstances = readyInstances; }
        public String getPhase() { return phase; }
        public void setPhase(String phase) { this.phase = phase; }
        public List<Condition> getConditions() { return conditions; }
        public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
    }
}
