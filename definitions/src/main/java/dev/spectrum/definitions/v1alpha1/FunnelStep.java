package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** One step: an event type, optionally narrowed by filters on its properties. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class FunnelStep {

    @Required
    @Size(min = 1, max = 200)
    @JsonPropertyDescription("The event type that completes this step, e.g. signup.")
    private String event;

    @Size(min = 1, max = 200)
    @JsonPropertyDescription("Display name; defaults to the event. Names must be unique within the funnel.")
    private String name;

    @JsonPropertyDescription("Filters on the event's top-level properties; all must hold.")
    private List<PropertyFilter> where = new ArrayList<>();

    public FunnelStep() {
    }

    public FunnelStep(String event) {
        this.event = event;
    }

    public String getEvent() {
        return event;
    }

    public void setEvent(String event) {
        this.event = event;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<PropertyFilter> getWhere() {
        return where;
    }

    public void setWhere(List<PropertyFilter> where) {
        this.where = where;
    }

    /** The step's name as shown: its name, else its event. */
    @JsonIgnore
    public String displayName() {
        return name == null || name.isEmpty() ? event : name;
    }
}
