package dev.spectrum.operator.definition;

import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * What one reconcile of a definition decided, handed to its dependents (the SQL ConfigMap and the
 * refresh CronJob) as one typed object, not a string-keyed stash: the checked definition's SQL and
 * view, its schedule, the Spectrum's pipeline login Secret and the psql image. The reconciler puts
 * it only after the view is applied, right before it runs the workflow.
 *
 * @param kind           the kind as in YAML (Funnel, Experiment)
 * @param viewName       the view's unqualified name (funnel_checkout)
 * @param schedule       the refresh schedule
 * @param sql            the SQL that made the view, as applied
 * @param sqlHash        its SHA-256
 * @param pipelineSecret {@code <s>-db-pipeline}: the login the refresh uses
 * @param image          the psql image of the refresh CronJob
 */
public record DefinitionState(String kind, String viewName, String schedule, String sql, String sqlHash, String pipelineSecret,
                              String image) {

    private static final String KEY = DefinitionState.class.getName();

    /** Hands this to the dependents of the reconcile that {@code context} belongs to. */
    public void putInto(Context<?> context) {
        context.managedWorkflowAndDependentResourceContext().put(KEY, this);
    }

    public static DefinitionState of(Context<?> context) {
        return context.managedWorkflowAndDependentResourceContext().get(KEY, DefinitionState.class)
                .orElseThrow(() -> new IllegalStateException("the reconciler runs the workflow only after it decided the definition's objects"));
    }
}
