package dev.spectrum.definitions;

import dev.spectrum.definitions.sql.SqlText;

/**
 * The name of a view in {@code analytics}: the one place that adds or strips the schema.
 * {@link #name()} is the bare name (funnel_checkout), {@link #qualified()} the text recorded in
 * {@code warehouse.definitions} and {@code analytics.view_refreshes} (analytics.funnel_checkout),
 * {@link #quoted()} the form for SQL text (analytics."funnel_checkout").
 */
public record ViewName(String name) {

    public static final String SCHEMA = "analytics";
    private static final String PREFIX = SCHEMA + ".";

    public ViewName {
        if (name == null || name.isEmpty() || name.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a bare view name: " + name);
        }
    }

    /** {@code <prefix>_<resource name>} with '-' turned into '_' (data-model.md): funnel_checkout. */
    public static ViewName of(String prefix, String resourceName) {
        return new ViewName(prefix + "_" + resourceName.replace('-', '_'));
    }

    /** From the qualified text (analytics.funnel_checkout); a bare name is taken as it is. */
    public static ViewName parse(String text) {
        return new ViewName(text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text);
    }

    /** analytics.funnel_checkout */
    public String qualified() {
        return PREFIX + name;
    }

    /** analytics."funnel_checkout", for SQL text. */
    public String quoted() {
        return PREFIX + SqlText.identifier(name);
    }

    /** A name beside this one, such as funnel_checkout__next. */
    public ViewName suffixed(String suffix) {
        return new ViewName(name + suffix);
    }

    @Override
    public String toString() {
        return qualified();
    }
}
