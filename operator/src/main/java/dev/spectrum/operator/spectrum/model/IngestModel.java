package dev.spectrum.operator.spectrum.model;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import dev.spectrum.definitions.v1alpha1.SpectrumSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ingest service of a Spectrum: Deployment, Service (port 80 to 8080) and, when
 * spec.ingest.autoscaling is set, a HorizontalPodAutoscaler (the Deployment then has no replicas).
 * The database login comes from {@code <s>-db-ingest} and the write keys are mounted as files.
 */
public final class IngestModel {

    public static final String COMPONENT = "ingest";
    public static final String WRITE_KEYS_DIR = "/etc/spectrum/write-keys";
    public static final String SECRETS_HASH = "spectrum.dev/secrets-hash";
    public static final int PORT = 8080;
    /**
     * The ingest service alone, from the {@code spectrum} image (images/spectrum/Dockerfile lays the
     * ingest Quarkus app out there). The image's default command is {@code serve}, which also runs the
     * pipeline schedule: in a cluster the pipeline is the CronJob's, so the pods run only ingest.
     */
    public static final List<String> COMMAND = List.of("java", "-XX:+ExitOnOutOfMemoryError", "-XX:MaxRAMPercentage=75.0",
            "-jar", "/opt/spectrum/ingest/target/quarkus-app/quarkus-run.jar");

    private IngestModel() {
    }

    public static Deployment deployment(Spectrum spectrum, String image, String writeKeysSecret, String secretsHash) {
        SpectrumNames names = names(spectrum);
        SpectrumSpec.Ingest ingest = ingest(spectrum);
        String login = names.loginSecret(SpectrumNames.Component.INGEST);
        Map<String, String> selector = Labels.selector(names.spectrum(), COMPONENT);
        List<EnvVar> env = new ArrayList<>(List.of(
                EnvFromSecret.of("SPECTRUM_DB_HOST", login, "host"),
                EnvFromSecret.of("SPECTRUM_DB_PORT", login, "port"),
                EnvFromSecret.of("SPECTRUM_DB_NAME", login, "database"),
                EnvFromSecret.of("SPECTRUM_DB_SSLMODE", login, "sslmode"),
                // Kubernetes expands $(VAR) of variables defined above: no value of the Secret is written here.
                new EnvVarBuilder().withName("SPECTRUM_DB_URL").withValue(
                        "jdbc:postgresql://$(SPECTRUM_DB_HOST):$(SPECTRUM_DB_PORT)/$(SPECTRUM_DB_NAME)?sslmode=$(SPECTRUM_DB_SSLMODE)").build(),
                EnvFromSecret.of("SPECTRUM_DB_USER", login, "username"),
                EnvFromSecret.of("SPECTRUM_DB_PASSWORD", login, "password"),
                new EnvVarBuilder().withName("SPECTRUM_WRITE_KEYS_DIR").withValue(WRITE_KEYS_DIR).build()));
        var probe = (java.util.function.Function<String, io.fabric8.kubernetes.api.model.Probe>) path -> new ProbeBuilder()
                .withHttpGet(new HTTPGetActionBuilder().withPath(path).withPort(new IntOrString("http")).build())
                .withPeriodSeconds(10).withTimeoutSeconds(3).withFailureThreshold(3).build();
        return new DeploymentBuilder()
                .withMetadata(Labels.owned(spectrum, names.ingest(), COMPONENT))
                .withNewSpec()
                .withReplicas(ingest.getAutoscaling() != null ? null : ingest.getReplicas() == null ? 2 : ingest.getReplicas())
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(Labels.of(names.spectrum(), COMPONENT))
                .withAnnotations(Map.of(SECRETS_HASH, secretsHash)).endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext().withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName(COMPONENT)
                .withImage(ingest.getImage() != null ? ingest.getImage() : image)
                .withCommand(COMMAND)
                .addNewPort().withName("http").withContainerPort(PORT).withProtocol("TCP").endPort()
                .withEnv(env)
                .withResources(ingest.getResources())
                .withReadinessProbe(probe.apply("/q/health/ready"))
                .withLivenessProbe(probe.apply("/q/health/live"))
                .withStartupProbe(new ProbeBuilder(probe.apply("/q/health/started")).withFailureThreshold(30).build())
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("write-keys").withMountPath(WRITE_KEYS_DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("write-keys").withNewSecret().withSecretName(writeKeysSecret).endSecret().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    public static Service service(Spectrum spectrum) {
        SpectrumNames names = names(spectrum);
        return new ServiceBuilder()
                .withMetadata(Labels.owned(spectrum, names.ingest(), COMPONENT))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(Labels.selector(names.spectrum(), COMPONENT))
                .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString("http")).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }

    /** Only when spec.ingest.autoscaling is set. */
    public static HorizontalPodAutoscaler autoscaler(Spectrum spectrum) {
        SpectrumNames names = names(spectrum);
        SpectrumSpec.Autoscaling autoscaling = ingest(spectrum).getAutoscaling();
        return new HorizontalPodAutoscalerBuilder()
                .withMetadata(Labels.owned(spectrum, names.ingest(), COMPONENT))
                .withNewSpec()
                .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(names.ingest()).endScaleTargetRef()
                .withMinReplicas(autoscaling.getMinReplicas() == null ? 1 : autoscaling.getMinReplicas())
                .withMaxReplicas(autoscaling.getMaxReplicas())
                .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget().withType("Utilization")
                .withAverageUtilization(autoscaling.getTargetCPUUtilizationPercentage() == null ? 70
                        : autoscaling.getTargetCPUUtilizationPercentage())
                .endTarget().endResource().endMetric()
                .endSpec()
                .build();
    }

    /** The write keys Secret's name: spec.ingest.writeKeysSecretRef or {@code <s>-write-keys}. */
    public static String writeKeysSecret(Spectrum spectrum) {
        SpectrumSpec.Ingest ingest = ingest(spectrum);
        return ingest.getWriteKeysSecretRef() != null && ingest.getWriteKeysSecretRef().getName() != null
                ? ingest.getWriteKeysSecretRef().getName() : names(spectrum).defaultWriteKeysSecret();
    }

    public static boolean autoscaled(Spectrum spectrum) {
        return ingest(spectrum).getAutoscaling() != null;
    }

    static SpectrumSpec.Ingest ingest(Spectrum spectrum) {
        return spectrum.getSpec().getIngest() == null ? new SpectrumSpec.Ingest() : spectrum.getSpec().getIngest();
    }

    private static SpectrumNames names(Spectrum spectrum) {
        return new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName());
    }
}
