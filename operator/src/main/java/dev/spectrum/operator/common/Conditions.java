package dev.spectrum.operator.common;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The one place that writes status conditions: sets a condition by type, keeping its
 * lastTransitionTime when the status did not change (Kubernetes API conventions).
 */
public final class Conditions {

    private Conditions() {
    }

    /** Sets the condition; returns whether its status or reason changed (what deserves an Event). */
    public static boolean set(List<Condition> conditions, String type, boolean status, String reason, String message,
                              Long generation) {
        return set(conditions, type, status ? "True" : "False", reason, message, generation);
    }

    public static boolean set(List<Condition> conditions, String type, String status, String reason, String message,
                              Long generation) {
        Condition existing = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String transition = existing != null && status.equals(existing.getStatus()) ? existing.getLastTransitionTime()
                : OffsetDateTime.now(ZoneOffset.UTC).withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        Condition condition = new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withObservedGeneration(generation).withLastTransitionTime(transition).build();
        if (existing != null) {
            conditions.set(conditions.indexOf(existing), condition);
        } else {
            conditions.add(condition);
        }
        return existing == null || !status.equals(existing.getStatus()) || !reason.equals(existing.getReason());
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
