package dev.spectrum.operator.spectrum.model;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import java.util.Map;

/**
 * The managed database (one PostgreSQL StatefulSet with a PVC template {@code data}, a Service
 * {@code <s>-db}) and the CloudNativePG Cluster. PVCs carry no owner reference under Retain
 * (persistentVolumeClaimRetentionPolicy Retain), so the data outlives the Spectrum.
 */
public final class DatabaseModel {

    public static final String COMPONENT = "database";
    public static final String DEFAULT_IMAGE = "postgres:16";
    public static final String DEFAULT_STORAGE = "20Gi";

    private DatabaseModel() {
    }

    public static StatefulSet statefulSet(Spectrum spectrum) {
        SpectrumNames names = names(spectrum);
        SpectrumSpec.Managed managed = spectrum.getSpec().getDatabase().getManaged();
        String policy = retain(spectrum) ? "Retain" : "Delete";
        String secret = names.superuserSecret();
        var probe = new io.fabric8.kubernetes.api.model.ProbeBuilder().withNewExec()
                .withCommand("pg_isready", "-U", SpectrumNames.SUPERUSER, "-h", "127.0.0.1", "-p", "5432").endExec()
                .withPeriodSeconds(10).withTimeoutSeconds(5).withFailureThreshold(6).build();
        return new StatefulSetBuilder()
                .withMetadata(Labels.owned(spectrum, names.database(), COMPONENT))
                .withNewSpec()
                .withReplicas(1)
                .withServiceName(names.database())
                .withNewSelector().withMatchLabels(Labels.selector(names.spectrum(), COMPONENT)).endSelector()
                .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted(policy).withWhenScaled("Retain")
                .endPersistentVolumeClaimRetentionPolicy()
                .withNewTemplate()
                .withNewMetadata().withLabels(Labels.of(names.spectrum(), COMPONENT)).endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext().withFsGroup(999L).withRunAsUser(999L).withRunAsNonRoot(true)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer()
                .withName("postgres")
                .withImage(managed.getImage() == null ? DEFAULT_IMAGE : managed.getImage())
                .addNewPort().withName("postgres").withContainerPort(5432).withProtocol("TCP").endPort()
                .withEnv(EnvFromSecret.of("POSTGRES_PASSWORD", secret, "password"),
                        new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("PGDATA")
                                .withValue("/var/lib/postgresql/data/pgdata").build(),
                        new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName("POSTGRES_INITDB_ARGS")
                                .withValue("--auth-host=scram-sha-256").build())
                .withReadinessProbe(probe)
                .withLivenessProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder(probe).withInitialDelaySeconds(30).build())
                .withNewSecurityContext().withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("data").withMountPath("/var/lib/postgresql/data").endVolumeMount()
                .addNewVolumeMount().withName("run").withMountPath("/var/run/postgresql").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("run").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .addNewVolumeClaimTemplate()
                .withNewMetadata().withName("data").withLabels(Labels.of(names.spectrum(), COMPONENT)).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().withRequests(Map.of("storage",
                        new Quantity(managed.getStorage() == null ? DEFAULT_STORAGE : managed.getStorage()))).endResources()
                .endSpec()
                .endVolumeClaimTemplate()
                .endSpec()
                .build();
    }

    public static Service service(Spectrum spectrum) {
        SpectrumNames names = names(spectrum);
        return new ServiceBuilder()
                .withMetadata(Labels.owned(spectrum, names.database(), COMPONENT))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(Labels.selector(names.spectrum(), COMPONENT))
                .addNewPort().withName("postgres").withPort(5432).withTargetPort(new IntOrString("postgres")).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }

    public static CloudNativePGCluster cluster(Spectrum spectrum) {
        SpectrumNames names = names(spectrum);
        SpectrumSpec.CloudNativePG spec = spectrum.getSpec().getDatabase().getCloudNativePG();
        var cluster = new CloudNativePGCluster();
        cluster.setMetadata(Labels.data(spectrum, names.database(), COMPONENT, retain(spectrum)));
        var clusterSpec = new CloudNativePGCluster.Spec();
        clusterSpec.setInstances(spec.getInstances() == null ? 1 : spec.getInstances());
        clusterSpec.setStorage(new CloudNativePGCluster.Storage(spec.getStorage() == null ? DEFAULT_STORAGE : spec.getStorage()));
        clusterSpec.setBootstrap(new CloudNativePGCluster.Bootstrap(new CloudNativePGCluster.InitDB(SpectrumNames.DATABASE,
                SpectrumNames.OWNER_LOGIN, new CloudNativePGCluster.SecretName(names.ownerSecret()),
                List.of("ALTER ROLE " + SpectrumNames.OWNER_LOGIN + " CREATEROLE"))));
        cluster.setSpec(clusterSpec);
        return cluster;
    }

    public static boolean retain(Spectrum spectrum) {
        return spectrum.getSpec().getDatabase().getDeletionPolicy() != SpectrumSpec.DeletionPolicy.Delete;
    }

    private static SpectrumNames names(Spectrum spectrum) {
        return new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName());
    }
}
