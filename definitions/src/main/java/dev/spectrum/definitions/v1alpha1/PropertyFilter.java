package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** A condition on one top-level property of an event (semantics.md, Properties in filters). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PropertyFilter {

    @Required
    @Size(min = 1, max = 200)
    @JsonPropertyDescription("The property: a top-level key of the event's properties.")
    private String property;

    @Required
    @JsonPropertyDescription("eq, neq, contains, gt, gte, lt, lte take value; in, not_in take values; is_set, is_not_set take neither.")
    private FilterOp op;

    @PreserveUnknownFields
    @JsonPropertyDescription("A string, number or boolean.")
    private JsonNode value;

    @PreserveUnknownFields
    @JsonPropertyDescription("Strings, numbers or booleans (for in and not_in).")
    private List<JsonNode> values;

    public PropertyFilter() {
    }

    public String getProperty() {
        return property;
    }

    public void setProperty(String property) {
        this.property = property;
    }

    public FilterOp getOp() {
        return op;
    }

    public void setOp(FilterOp op) {
        this.op = op;
    }

    public JsonNode getValue() {
        return value;
    }

    public void setValue(JsonNode value) {
        this.value = value;
    }

    public List<JsonNode> getValues() {
        return values;
    }

    public void setValues(List<JsonNode> values) {
        this.values = values;
    }
}
