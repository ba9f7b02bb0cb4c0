package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A reference to a Spectrum in the same namespace. */
public class SpectrumRef {

    @Required
    @JsonPropertyDescription("The Spectrum's name.")
    private String name;

    public SpectrumRef() {
    }

    public SpectrumRef(String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
