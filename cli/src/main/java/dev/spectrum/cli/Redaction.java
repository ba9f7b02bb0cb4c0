package dev.spectrum.cli;

/**
 * Error text as serve logs it: the first line of a database message with every quoted part
 * replaced, since PostgreSQL quotes the offending value ({@code invalid input syntax for type
 * numeric: "…"}), which may come from an event's properties.
 */
final class Redaction {

    private Redaction() {
    }

    static String error(String message) {
        String line = DatabaseSettings.firstLine(message);
        return line.replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("'[^']*'", "'…'").replaceFirst("^ERROR: ", "");
    }
}
