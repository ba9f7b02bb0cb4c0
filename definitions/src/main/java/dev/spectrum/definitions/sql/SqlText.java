package dev.spectrum.definitions.sql;

/**
 * The one place where text from a definition becomes SQL text. Values become string literals,
 * names become quoted identifiers; nothing else from a definition is ever spliced into SQL.
 */
public final class SqlText {

    private SqlText() {
    }

    /**
     * A string literal that means exactly {@code value}: an escape string ({@code E'...'}) with
     * backslashes and quotes doubled, so it reads the same whatever
     * {@code standard_conforming_strings} says. NUL cannot be in PostgreSQL text and is refused.
     */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("text with a NUL character cannot reach PostgreSQL");
        }
        StringBuilder out = new StringBuilder(value.length() + 4).append("E'");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\'' || c == '\\') {
                out.append(c);
            }
            out.append(c);
        }
        return out.append('\'').toString();
    }

    /** A quoted identifier: double quotes around, inner double quotes doubled. */
    public static String identifier(String name) {
        if (name.indexOf('\0') >= 0 || name.isEmpty()) {
            throw new IllegalArgumentException("not an identifier: " + name);
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
