package dev.spectrum.operator.definition;

import dev.spectrum.definitions.ViewName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;

/** When a view was last refreshed, from analytics.view_refreshes (the CronJob records each refresh there). */
public final class LastRefresh {

    private LastRefresh() {
    }

    public static String of(Connection c, ViewName viewName) throws SQLException {
        try (var q = c.prepareStatement("SELECT max(refreshed_at)::text FROM analytics.view_refreshes WHERE view_name = ?")) {
            q.setString(1, viewName.qualified());
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
