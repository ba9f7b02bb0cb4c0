package dev.spectrum.definitions;

import dev.spectrum.definitions.v1alpha1.DefinitionSpec;
import dev.spectrum.definitions.v1alpha1.Refresh;
import io.fabric8.kubernetes.client.CustomResource;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Checks shared by every kind of definition; each problem names the field to change. */
public final class Checks {

    public static final int MAX_TEXT = 200;

    /** Resource names: DNS labels of at most 40 characters (crds.md). */
    public static final Pattern NAME = Pattern.compile("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$");

    private static final Pattern SCHEDULE = Pattern.compile(Refresh.SCHEDULE_PATTERN);

    private Checks() {
    }

    /** What every kind has, checked: the resource's name and its refresh schedule (default applied). */
    public record Shared(String name, String schedule) {
    }

    /**
     * The checks every kind shares, so that no kind can miss one: metadata.name, the spec itself
     * (without one nothing else is checked), spec.spectrumRef.name and spec.refresh.schedule.
     */
    public static Shared shared(CustomResource<? extends DefinitionSpec, ?> resource, List<String> problems) {
        String name = resource.getMetadata() == null ? null : resource.getMetadata().getName();
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add("metadata.name: '" + name + "' must be a DNS label of at most 40 characters"
                    + " (lower-case letters, digits and '-', starting with a letter)");
        }
        DefinitionSpec spec = resource.getSpec();
        if (spec == null) {
            throw new InvalidDefinitionException(resource.getKind() + " " + name, List.of("spec: is required"));
        }
        if (spec.getSpectrumRef() == null || blank(spec.getSpectrumRef().getName())) {
            problems.add("spec.spectrumRef.name: is required (the Spectrum whose database holds the view)");
        }
        String schedule = spec.getRefresh() == null || spec.getRefresh().getSchedule() == null
                ? Refresh.DEFAULT_SCHEDULE : spec.getRefresh().getSchedule();
        if (!SCHEDULE.matcher(schedule).matches()) {
            problems.add("spec.refresh.schedule: '" + schedule + "' is not a cron schedule with five fields");
        }
        return new Shared(name, schedule);
    }

    public static DefinitionDuration duration(String path, String text, String fallback, Duration max,
                                               List<String> problems) {
        DefinitionDuration parsed = DefinitionDuration.parse(text == null ? fallback : text);
        if (parsed == null) {
            problems.add(path + ": '" + text + "' is not a duration; write a whole number and m, h or d, such as 7d");
            return null;
        }
        if (parsed.toDuration().compareTo(max) > 0) {
            problems.add(path + ": " + text + " is longer than the most allowed, " + max.toDays() + "d");
        }
        return parsed;
    }

    public static void text(String path, String value, List<String> problems) {
        if (value.indexOf('\0') >= 0) {
            problems.add(path + ": contains a NUL character, which PostgreSQL text cannot hold");
        } else if (value.codePointCount(0, value.length()) > MAX_TEXT) {
            problems.add(path + ": is longer than " + MAX_TEXT + " characters");
        }
    }

    public static boolean blank(String s) {
        return s == null || s.isEmpty();
    }
}
