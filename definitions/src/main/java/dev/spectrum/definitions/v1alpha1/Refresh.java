package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** When a view is refreshed. */
public class Refresh {

    @Default("\"*/5 * * * *\"")
    @Pattern("^\\S+( +\\S+){4}$")
    @JsonPropertyDescription("A cron schedule with five fields (default every 5 minutes).")
    private String schedule;

    public String getSchedule() {
        return schedule;
    }

    public void setSchedule(String schedule) {
        this.schedule = schedule;
    }
}
