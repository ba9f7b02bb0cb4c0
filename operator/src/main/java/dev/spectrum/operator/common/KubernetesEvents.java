package dev.spectrum.operator.common;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Kubernetes Events on a resource, for each thing the operator does or fails to do. */
public final class KubernetesEvents {

    private static final Logger LOG = Logger.getLogger(KubernetesEvents.class);

    private KubernetesEvents() {
    }

    public static void record(KubernetesClient client, HasMetadata resource, boolean normal, String reason, String message) {
        String now = OffsetDateTime.now(ZoneOffset.UTC).withNano(0).toString();
        try {
            client.v1().events().inNamespace(resource.getMetadata().getNamespace()).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(resource.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                    .withNamespace(resource.getMetadata().getNamespace()).endMetadata()
                    .withNewInvolvedObject().withApiVersion(resource.getApiVersion()).withKind(resource.getKind())
                    .withName(resource.getMetadata().getName()).withNamespace(resource.getMetadata().getNamespace())
                    .withUid(resource.getMetadata().getUid()).endInvolvedObject()
                    .withType(normal ? "Normal" : "Warning").withReason(reason).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent("spectrum-operator").endSource()
                    .build()).create();
        } catch (RuntimeException e) {
            LOG.debugf("could not record event %s: %s", reason, e.getMessage());
        }
    }
}
