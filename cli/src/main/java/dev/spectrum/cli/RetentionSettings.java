package dev.spectrum.cli;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The data-lifecycle settings of data-model.md, written into {@code warehouse.settings} through
 * {@code warehouse.set_setting()} from SPECTRUM_STAGING_RETENTION and SPECTRUM_EVENT_RETENTION
 * when they are set (durations such as 7d, 36h; {@code off} turns event retention off).
 */
final class RetentionSettings {

    static final Map<String, String> VARIABLES = Map.of(
            "SPECTRUM_STAGING_RETENTION", "staging_retention",
            "SPECTRUM_EVENT_RETENTION", "event_retention");

    private RetentionSettings() {
    }

    /** Writes the settings the environment gives; returns one line per setting written. */
    static List<String> applyFromEnvironment(DataSource dataSource, Map<String, String> environment, String writer) {
        List<String> written = new ArrayList<>();
        for (String variable : List.of("SPECTRUM_STAGING_RETENTION", "SPECTRUM_EVENT_RETENTION")) {
            String value = environment.get(variable);
            if (value == null) {
                continue;
            }
            try (var c = dataSource.getConnection();
                 var set = c.prepareStatement("SELECT coalesce(warehouse.set_setting(?, ?, ?)::text, 'off')")) {
                set.setString(1, VARIABLES.get(variable));
                set.setString(2, value);
                set.setString(3, writer);
                try (var rs = set.executeQuery()) {
                    rs.next();
                    written.add(VARIABLES.get(variable) + " = " + rs.getString(1) + " (from " + variable + ")");
                }
            } catch (SQLException e) {
                throw new UserError(variable + ": " + DatabaseSettings.firstLine(e.getMessage()).replaceFirst("^ERROR: ", ""));
            }
        }
        return written;
    }
}
