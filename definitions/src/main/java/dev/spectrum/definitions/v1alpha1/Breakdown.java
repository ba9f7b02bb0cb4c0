package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What a funnel is split by: a step-1 property, or a dimension. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.property) != has(self.dimension)", message = "set exactly one of property and dimension")
public class Breakdown {

    @Size(min = 1, max = 200)
    @JsonPropertyDescription("A top-level property of the step-1 event.")
    private String property;

    @JsonPropertyDescription("country or account.")
    private Dimension dimension;

    public String getProperty() {
        return property;
    }

    public void setProperty(String property) {
        this.property = property;
    }

    public Dimension getDimension() {
        return dimension;
    }

    public void setDimension(Dimension dimension) {
        this.dimension = dimension;
    }

    /** Dimensions to break down by (lower case: these are the values users write). */
    public enum Dimension {
        country, account
    }
}
