package dev.spectrum.definitions.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** When a view is refreshed. */
public class Refresh {

    /** The schedule when none is given: every 5 minutes. */
    public static final String DEFAULT_SCHEDULE = "*/5 * * * *";
    /** A cron schedule with five fields (the schema's pattern, checked again by Checks). */
    public static final String SCHEDULE_PATTERN = "^\\S+( +\\S+){4}$";

    @Default("\"" + DEFAULT_SCHEDULE + "\"")
    @Pattern(SCHEDULE_PATTERN)
    @JsonPropertyDescription("A cron schedule with five fields (default every 5 minutes).")
    private String schedule;

    public String getSchedule() {
        return schedule;
    }

    public void setSchedule(String schedule) {
        this.schedule = schedule;
    }
}
