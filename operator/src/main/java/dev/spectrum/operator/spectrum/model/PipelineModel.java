package dev.spectrum.operator.spectrum.model;

import dev.spectrum.definitions.v1alpha1.Spectrum;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;

/**
 * The pipeline CronJob of a Spectrum: {@code CALL warehouse.run_pipeline()} through psql
 * ({@code postgres:16-alpine} by default), logged in as the pipeline login from its Secret.
 */
public final class PipelineModel {

    public static final String COMPONENT = "pipeline";
    public static final String DEFAULT_SCHEDULE = "*/5 * * * *";
    /** A run that could not start within this many seconds of its time is skipped (the next one loads everything). */
    public static final long STARTING_DEADLINE_SECONDS = 240;

    private PipelineModel() {
    }

    public static CronJob cronJob(Spectrum spectrum, String image) {
        SpectrumNames names = new SpectrumNames(spectrum.getMetadata().getNamespace(), spectrum.getMetadata().getName());
        String schedule = spectrum.getSpec().getPipeline() == null || spectrum.getSpec().getPipeline().getSchedule() == null
                ? DEFAULT_SCHEDULE : spectrum.getSpec().getPipeline().getSchedule();
        return psqlCronJob(Labels.owned(spectrum, names.pipelineCronJob(), COMPONENT), schedule, image,
                names.loginSecret(SpectrumNames.Component.PIPELINE), "CALL warehouse.run_pipeline()");
    }

    /** A CronJob that runs one SQL statement with psql, credentials from a login Secret (also the definitions' refresh). */
    public static CronJob psqlCronJob(io.fabric8.kubernetes.api.model.ObjectMeta meta, String schedule, String image,
                                      String loginSecret, String sql) {
        return new CronJobBuilder()
                .withMetadata(meta)
                .withNewSpec()
                .withSchedule(schedule)
                .withTimeZone("Etc/UTC")
                .withConcurrencyPolicy("Forbid")
                .withStartingDeadlineSeconds(STARTING_DEADLINE_SECONDS)
                .withSuccessfulJobsHistoryLimit(1)
                .withFailedJobsHistoryLimit(3)
                .withNewJobTemplate()
                .withNewMetadata().withLabels(meta.getLabels()).endMetadata()
                .withNewSpec()
                .withBackoffLimit(1)
                .withNewTemplate()
                .withNewMetadata().withLabels(meta.getLabels()).endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(70L).withNewSeccompProfile().withType("RuntimeDefault")
                .endSeccompProfile().endSecurityContext()
                .addNewContainer()
                .withName("psql")
                .withImage(image)
                .withCommand("psql", "-v", "ON_ERROR_STOP=1", "-X", "-c", sql)
                .withEnv(EnvFromSecret.libpq(loginSecret))
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .endJobTemplate()
                .endSpec()
                .build();
    }
}
