package dev.spectrum.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The demo's printed report: the analytics views as readable tables, read back with SQL. */
final class DemoReport {

    private final DataSource dataSource;
    private final PrintWriter out;

    DemoReport(DataSource dataSource, PrintWriter out) {
        this.dataSource = dataSource;
        this.out = out;
    }

    void print(String psql) throws SQLException {
        section("Funnel 'checkout' (examples/checkout-funnel.yaml), all entries of the last 90 days");
        table("""
                SELECT step AS "step", step_name AS "name", persons AS "persons",
                       to_char(100 * conversion_rate, 'FM990.0') || '%' AS "of step 1",
                       to_char(100 * step_conversion_rate, 'FM990.0') || '%' AS "of previous",
                       coalesce(round(median_seconds_from_previous / 3600)::text || ' h', '') AS "median time"
                FROM analytics.mv_conversion_funnels
                WHERE funnel = 'checkout' AND granularity = 'total' AND breakdown = '' ORDER BY step""");

        section("Weekly retention: share of each signup week's persons active N weeks later");
        table("""
                SELECT to_char(cohort_start, 'YYYY-MM-DD') AS "cohort week", max(cohort_size) AS "persons",
                       string_agg(lpad(to_char(100 * retention_rate, 'FM990') || '%', 5), ' ' ORDER BY period_number) AS "week 0, 1, 2, ..."
                FROM analytics.mv_retention_cohorts WHERE granularity = 'week'
                GROUP BY cohort_start ORDER BY cohort_start""");

        section("Revenue by month (refunds count negative)");
        table("""
                SELECT to_char(period_start, 'YYYY-MM') AS "month", revenue AS "revenue", orders AS "orders",
                       paying_persons AS "paying persons", paying_accounts AS "paying accounts", round(arppu, 2) AS "ARPPU"
                FROM analytics.mv_revenue_summary WHERE granularity = 'month' AND account_id = '' ORDER BY period_start""");

        section("Experiment 'new-checkout' (examples/checkout-experiment.yaml)");
        table("""
                SELECT metric AS "metric", variant AS "variant", persons AS "persons", round(mean::numeric, 4) AS "mean",
                       coalesce(to_char(100 * rel_lift, 'FMS990.0') || '%', '') AS "lift",
                       coalesce('[' || to_char(100 * rel_lift_ci_low, 'FMS990.0') || '%, '
                                || to_char(100 * rel_lift_ci_high, 'FMS990.0') || '%]', '') AS "95% interval",
                       coalesce(CASE WHEN p_value < 0.0001 THEN trim(to_char(p_value, '9.99EEEE')) ELSE to_char(p_value, 'FM0.0000') END, '') AS "p-value",
                       coalesce(significant::text, '') AS "significant",
                       coalesce(to_char(100 * chance_to_beat_control, 'FM990.0') || '%', '') AS "chance to win"
                FROM analytics.mv_experiment_results WHERE experiment = 'new-checkout' ORDER BY metric, variant""");
        table("""
                SELECT DISTINCT CASE WHEN srm_p_value < 0.0001 THEN trim(to_char(srm_p_value, '9.99EEEE')) ELSE to_char(srm_p_value, 'FM0.0000') END AS "sample-ratio-mismatch p-value (below 0.001 is a problem)"
                FROM analytics.mv_experiment_results WHERE experiment = 'new-checkout'""");

        section("Look further");
        out.println("  " + psql + " -c \"SELECT * FROM analytics.mv_conversion_funnels WHERE granularity = 'week'\"");
        out.println("  " + psql + " -c \"SELECT * FROM analytics.mv_experiment_results\"");
        out.println("  " + psql + " -c \"SELECT * FROM analytics.mv_sessions ORDER BY started_at DESC LIMIT 20\"");
        out.println("  " + psql + " -c \"SELECT * FROM analytics.pipeline_runs\"");
        out.println("  " + psql + " -c '\\dm+ analytics.*'");
        out.println();
        out.println("The same numbers in Grafana: `docker compose up`, then http://localhost:3000 (dashboards in folder Spectrum),"
                + " or load grafana/dashboards/ into an existing Grafana as grafana/README.md says.");
        out.flush();
    }

    private void section(String title) {
        out.println();
        out.println(title);
        out.println("-".repeat(title.length()));
    }

    private void table(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            List<String[]> rows = new ArrayList<>();
            String[] header = new String[columns];
            for (int i = 0; i < columns; i++) {
                header[i] = rs.getMetaData().getColumnLabel(i + 1);
            }
            rows.add(header);
            while (rs.next()) {
                String[] row = new String[columns];
                for (int i = 0; i < columns; i++) {
                    String v = rs.getString(i + 1);
                    row[i] = v == null ? "" : v;
                }
                rows.add(row);
            }
            int[] width = new int[columns];
            for (String[] row : rows) {
                for (int i = 0; i < columns; i++) {
                    width[i] = Math.max(width[i], row[i].length());
                }
            }
            for (int r = 0; r < rows.size(); r++) {
                StringBuilder line = new StringBuilder(" ");
                for (int i = 0; i < columns; i++) {
                    line.append(' ').append(String.format("%-" + width[i] + "s", rows.get(r)[i])).append("  ");
                }
                out.println(line.toString().stripTrailing());
                if (r == 0) {
                    StringBuilder rule = new StringBuilder(" ");
                    for (int i = 0; i < columns; i++) {
                        rule.append(' ').append("-".repeat(width[i])).append("  ");
                    }
                    out.println(rule.toString().stripTrailing());
                }
            }
        }
    }
}
