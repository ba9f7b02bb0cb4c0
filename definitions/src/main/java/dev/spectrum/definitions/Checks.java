package dev.spectrum.definitions;

import java.time.Duration;
import java.util.List;

/** Checks shared by every kind of definition; each problem names the field to change. */
public final class Checks {

    public static final int MAX_TEXT = 200;

    private Checks() {
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
