package dev.spectrum.cli;

import dev.spectrum.sql.Migrations;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./spectrum status} (cli.md): the installation at a glance. Exit 0 when the last pipeline
 * run succeeded (or none ran yet, or one is running), 1 when it failed, 2 when the database
 * cannot be reached.
 */
@Command(name = "status", description = "Schema version, staging backlog, derived tables, last pipeline runs, view freshness, definitions,"
        + " retention; exit 0 when the last pipeline run succeeded, 1 when it failed, 2 when the database cannot be reached.")
final class StatusCommand implements Callable<Integer> {

    static final int RUNS = 5;

    @ParentCommand
    SpectrumCommand parent;

    @Override
    public Integer call() {
        var settings = parent.database();
        DataSource dataSource;
        try {
            dataSource = settings.open();
        } catch (UserError e) {
            var err = parent.spec.commandLine().getErr();
            err.println("spectrum: " + e.getMessage());
            err.flush();
            return 2;
        }
        PrintWriter out = parent.spec.commandLine().getOut();
        try (Connection c = dataSource.getConnection()) {
            String version = Migrations.currentVersion(dataSource);
            out.printf("Spectrum at %s%n", settings.describe());
            out.printf("  schema version   %s%n", version == null ? "none (run ./spectrum migrate)" : version);
            if (version == null) {
                out.flush();
                return 1;
            }
            OffsetDateTime now = one(c, "SELECT now()").getObject(1, OffsetDateTime.class);
            ResultSet backlog = one(c, "SELECT count(*), min(received_at) FROM staging.raw_events"
                    + " WHERE id > (SELECT loaded_through FROM warehouse.pipeline_state)");
            long rows = backlog.getLong(1);
            OffsetDateTime oldest = backlog.getObject(2, OffsetDateTime.class);
            out.printf("  staging backlog  %,d rows not yet loaded%s%n", rows,
                    oldest == null ? "" : ", the oldest received " + age(oldest, now) + " ago");
            if (one(c, "SELECT to_regprocedure('warehouse.derived_are_stale()') IS NOT NULL").getBoolean(1)) {
                out.printf("  derived tables   %s%n", one(c, "SELECT warehouse.derived_are_stale()").getBoolean(1)
                        ? "stale: a bulk load is running or was cut off; its end (or the next pipeline run) rebuilds them,"
                                + " and until then retention, activity, lifecycle and sessions show the state before it"
                        : "current");
            }

            out.printf("%nLast pipeline runs%n");
            List<String[]> runs = new ArrayList<>();
            String lastStatus = null;
            try (var q = c.prepareStatement("SELECT run_id, started_at, finished_at, status, events_loaded, duplicates_skipped, error"
                    + " FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT " + RUNS); var rs = q.executeQuery()) {
                while (rs.next()) {
                    if (lastStatus == null) {
                        lastStatus = rs.getString(4);
                    }
                    OffsetDateTime started = rs.getObject(2, OffsetDateTime.class);
                    OffsetDateTime finished = rs.getObject(3, OffsetDateTime.class);
                    runs.add(new String[] {String.valueOf(rs.getLong(1)), age(started, now) + " ago",
                        finished == null ? "-" : String.format("%.1f s", Duration.between(started, finished).toMillis() / 1000.0),
                        rs.getString(4), String.format("%,d", rs.getLong(5)), String.format("%,d", rs.getLong(6)),
                        rs.getString(7) == null ? "" : Redaction.error(rs.getString(7))});
                }
            }
            table(out, new String[] {"run", "started", "took", "status", "loaded", "duplicates", "error"}, runs, "no pipeline run yet");

            out.printf("%nViews%n");
            List<String[]> views = new ArrayList<>();
            try (var q = c.prepareStatement("""
                    SELECT 'analytics.' || m.matviewname, r.refreshed_at,
                           r.refreshed_at < (SELECT max(finished_at) FROM analytics.pipeline_runs WHERE status = 'succeeded')
                    FROM pg_matviews m
                    LEFT JOIN (SELECT view_name, max(refreshed_at) AS refreshed_at FROM analytics.view_refreshes GROUP BY view_name) r
                           ON r.view_name = 'analytics.' || m.matviewname
                    WHERE m.schemaname = 'analytics' AND m.matviewname NOT LIKE '%\\_\\_next'
                    ORDER BY 1"""); var rs = q.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime refreshed = rs.getObject(2, OffsetDateTime.class);
                    views.add(new String[] {rs.getString(1), refreshed == null ? "never" : age(refreshed, now) + " ago",
                        refreshed == null || rs.getBoolean(3) ? "stale: older than the last load" : "fresh"});
                }
            }
            table(out, new String[] {"view", "refreshed", "state"}, views, "no views");

            out.printf("%nDefinitions applied%n");
            List<String[]> definitions = new ArrayList<>();
            try (var q = c.prepareStatement("SELECT kind, name, view_name, coalesce(owner, './spectrum apply'), applied_at"
                    + " FROM warehouse.definitions ORDER BY kind, name"); var rs = q.executeQuery()) {
                while (rs.next()) {
                    definitions.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        age(rs.getObject(5, OffsetDateTime.class), now) + " ago"});
                }
            }
            table(out, new String[] {"kind", "name", "view", "applied by", "applied"}, definitions, "none");

            out.printf("%nRetention%n");
            retention(c, out);
            out.printf("%n");
            if ("failed".equals(lastStatus)) {
                out.printf("The last pipeline run failed (exit status 1).%n");
            }
            out.flush();
            return "failed".equals(lastStatus) ? 1 : 0;
        } catch (SQLException e) {
            var err = parent.spec.commandLine().getErr();
            boolean connection = e.getSQLState() != null && e.getSQLState().startsWith("08");
            err.println("spectrum: " + (connection ? "cannot reach " : "cannot read the status of ") + settings.describe() + ": "
                    + Redaction.error(e.getMessage()));
            err.flush();
            return connection ? 2 : 1;
        }
    }

    /** warehouse.settings when the schema has it (data-model.md, Data lifecycle); the defaults otherwise. */
    private static void retention(Connection c, PrintWriter out) throws SQLException {
        boolean present = one(c, "SELECT to_regclass('warehouse.settings') IS NOT NULL").getBoolean(1);
        if (!present) {
            out.printf("  not configured (defaults: staging rows kept 7 days after they are loaded; event retention off)%n");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        String[] header;
        try (var q = c.prepareStatement("SELECT * FROM warehouse.settings ORDER BY 1"); var rs = q.executeQuery()) {
            int n = rs.getMetaData().getColumnCount();
            header = new String[n];
            for (int i = 1; i <= n; i++) {
                header[i - 1] = rs.getMetaData().getColumnName(i);
            }
            while (rs.next()) {
                String[] row = new String[n];
                for (int i = 1; i <= n; i++) {
                    row[i - 1] = rs.getString(i) == null ? "(off)" : rs.getString(i);
                }
                rows.add(row);
            }
        }
        table(out, header, rows, "no settings: the defaults apply (staging 7 days, event retention off)");
    }

    private static ResultSet one(Connection c, String sql) throws SQLException {
        ResultSet rs = c.createStatement().executeQuery(sql);
        rs.next();
        return rs;
    }

    static String age(OffsetDateTime then, OffsetDateTime now) {
        long s = Math.max(0, Duration.between(then, now).getSeconds());
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min";
        }
        if (s < 172_800) {
            return (s / 3600) + " h";
        }
        return (s / 86_400) + " days";
    }

    static void table(PrintWriter out, String[] header, List<String[]> rows, String empty) {
        if (rows.isEmpty()) {
            out.printf("  %s%n", empty);
            return;
        }
        int[] widths = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            widths[i] = header[i].length();
            for (String[] row : rows) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder line = new StringBuilder("  ");
        StringBuilder rule = new StringBuilder("  ");
        for (int i = 0; i < header.length; i++) {
            line.append(String.format("%-" + widths[i] + "s  ", header[i]));
            rule.append("-".repeat(widths[i])).append("  ");
        }
        out.println(line.toString().stripTrailing());
        out.println(rule.toString().stripTrailing());
        for (String[] row : rows) {
            StringBuilder r = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                r.append(String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.println(r.toString().stripTrailing());
        }
    }
}
