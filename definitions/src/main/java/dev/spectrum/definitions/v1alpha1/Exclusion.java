package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An event that discards an attempt when it happens between two steps. */
public class Exclusion {

    @Required
    @Size(min = 1, max = 200)
    @JsonPropertyDescription("The event type that discards the attempt.")
    private String event;

    @Required
    @Min(1)
    @Max(19)
    @JsonPropertyDescription("After the event used for this step (1-based).")
    private Integer afterStep;

    @Required
    @Min(2)
    @Max(20)
    @JsonPropertyDescription("Before the event used for this step (or the window end if it was never reached).")
    private Integer beforeStep;

    public String getEvent() {
        return event;
    }

    public void setEvent(String event) {
        this.event = event;
    }

    public Integer getAfterStep() {
        return afterStep;
    }

    public void setAfterStep(Integer afterStep) {
        this.afterStep = afterStep;
    }

    public Integer getBeforeStep() {
        return beforeStep;
    }

    public void setBeforeStep(Integer beforeStep) {
        this.beforeStep = beforeStep;
    }
}
