package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** What a Funnel measures. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FunnelSpec implements DefinitionSpec {

    /** Durations: a whole number and m, h or d. */
    public static final String DURATION = "^[1-9][0-9]{0,5}[mhd]$";

    @Required
    @JsonPropertyDescription("The Spectrum installation (in the same namespace) whose database holds the funnel's view.")
    private SpectrumRef spectrumRef;

    @Required
    @Size(min = 2, max = 20)
    @JsonPropertyDescription("The steps, 2 to 20. Step names (the event by default) must be unique.")
    private List<FunnelStep> steps = new ArrayList<>();

    @Default("ordered")
    @JsonPropertyDescription("ordered: each step after the previous one; strict: each step the person's very next event;"
            + " unordered: the steps in any order.")
    private FunnelOrder order;

    @Default("14d")
    @Pattern(DURATION)
    @JsonPropertyDescription("Conversion window from step 1, 1m to 365d (units m, h, d).")
    private String window;

    @Default("person")
    @JsonPropertyDescription("Count persons (default) or accounts; with account, events without an account are left out.")
    private CountBy countBy;

    @JsonPropertyDescription("Split the funnel by a property of the step-1 event, or by a dimension.")
    private Breakdown breakdown;

    @JsonPropertyDescription("Attempts with one of these events between two steps do not count.")
    private List<Exclusion> exclusions = new ArrayList<>();

    @Default("90d")
    @Pattern(DURATION)
    @JsonPropertyDescription("How far back attempts are considered (by their step-1 time), 1m to 3650d.")
    private String lookback;

    @JsonPropertyDescription("When the view is refreshed.")
    private Refresh refresh;

    public SpectrumRef getSpectrumRef() {
        return spectrumRef;
    }

    public void setSpectrumRef(SpectrumRef spectrumRef) {
        this.spectrumRef = spectrumRef;
    }

    public List<FunnelStep> getSteps() {
        return steps;
    }

    public void setSteps(List<FunnelStep> steps) {
        this.steps = steps;
    }

    public FunnelOrder getOrder() {
        return order;
    }

    public void setOrder(FunnelOrder order) {
        this.order = order;
    }

    public String getWindow() {
        return window;
    }

    public void setWindow(String window) {
        this.window = window;
    }

    public CountBy getCountBy() {
        return countBy;
    }

    public void setCountBy(CountBy countBy) {
        this.countBy = countBy;
    }

    public Breakdown getBreakdown() {
        return breakdown;
    }

    public void setBreakdown(Breakdown breakdown) {
        this.breakdown = breakdown;
    }

    public List<Exclusion> getExclusions() {
        return exclusions;
    }

    public void setExclusions(List<Exclusion> exclusions) {
        this.exclusions = exclusions;
    }

    public String getLookback() {
        return lookback;
    }

    public void setLookback(String lookback) {
        this.lookback = lookback;
    }

    public Refresh getRefresh() {
        return refresh;
    }

    public void setRefresh(Refresh refresh) {
        this.refresh = refresh;
    }
}
