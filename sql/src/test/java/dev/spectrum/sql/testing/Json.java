package dev.spectrum.sql.testing;

/** JSON text for tests, escaped by hand so that tests do not trust the code under test. */
public final class Json {

    private Json() {
    }

    /** A JSON string literal for any text. */
    public static String string(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(ch);
            }
        }
        return out.append('"').toString();
    }
}
