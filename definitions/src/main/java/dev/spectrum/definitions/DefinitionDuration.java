package dev.spectrum.definitions;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in definitions: {@code <n>m}, {@code <n>h}, {@code <n>d} (semantics.md). */
public record DefinitionDuration(long amount, char unit) {

    private static final Pattern FORMAT = Pattern.compile("([1-9][0-9]{0,5})([mhd])");

    /** Parses, or returns null when the text is not a duration. */
    public static DefinitionDuration parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text);
        return m.matches() ? new DefinitionDuration(Long.parseLong(m.group(1)), m.group(2).charAt(0)) : null;
    }

    public Duration toDuration() {
        return switch (unit) {
            case 'm' -> Duration.ofMinutes(amount);
            case 'h' -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** The SQL interval literal, made from the parsed number and unit only. */
    public String toSqlInterval() {
        String unitName = switch (unit) {
            case 'm' -> "minutes";
            case 'h' -> "hours";
            default -> "days";
        };
        return "interval '" + amount + " " + unitName + "'";
    }

    @Override
    public String toString() {
        return amount + String.valueOf(unit);
    }
}
