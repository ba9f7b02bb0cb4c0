package dev.spectrum.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * bench/dashboards.sh: every panel's query (each variable at its first value), expanded as Grafana expands it, run as the reader in a READ ONLY
 * transaction; p50/p95 over {@code runs} timed runs after one warm-up, beside a baseline
 * measured the same way in the same run ({@code SELECT 1}: the round trip and transaction cost).
 *
 * <pre>java -cp ... dev.spectrum.grafana.DashboardBench JDBC_URL USER [runs]</pre>
 */
public final class DashboardBench {

    record Figure(String what, double p50, double p95, int rows) {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String user = args[1];
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        try (Connection c = DriverManager.getConnection(url, user, "")) {
            PanelRunner runner = new PanelRunner(c);
            Figure baseline = time(runner, "baseline: SELECT 1", "SELECT 1", Map.of(), runs);
            List<Figure> figures = new ArrayList<>();
            for (var entry : Dashboards.all().entrySet()) {
                JsonNode dashboard = entry.getValue();
                for (Map<String, GrafanaSql.Value> vars : runner.combinations(dashboard, 1)) {
                    String suffix = vars.entrySet().stream().filter(e -> isCustom(dashboard, e.getKey()))
                            .map(e -> e.getKey() + "=" + e.getValue().values().get(0)).collect(Collectors.joining(", "));
                    for (Dashboards.Query q : Dashboards.queries(entry.getKey(), dashboard)) {
                        String what = entry.getKey() + " / " + q.panel().path("title").asText() + (suffix.isEmpty() ? "" : " [" + suffix + "]");
                        figures.add(time(runner, what, q.rawSql(), vars, runs));
                    }
                    for (JsonNode v : Dashboards.variables(dashboard)) {
                        if (v.path("type").asText().equals("query")) {
                            figures.add(time(runner, entry.getKey() + " / variable $" + v.path("name").asText()
                                    + (suffix.isEmpty() ? "" : " [" + suffix + "]"), Dashboards.variableSql(v), vars, runs));
                        }
                    }
                }
            }
            figures.sort(Comparator.comparingDouble(Figure::p95).reversed());
            System.out.printf("%-78s %9s %9s %7s%n", "query", "p50 ms", "p95 ms", "rows");
            System.out.printf("%-78s %9.2f %9.2f %7d%n", baseline.what(), baseline.p50(), baseline.p95(), baseline.rows());
            for (Figure f : figures) {
                System.out.printf("%-78s %9.2f %9.2f %7d%s%n", f.what().length() > 78 ? f.what().substring(0, 78) : f.what(),
                        f.p50(), f.p95(), f.rows(), f.p95() > 100 ? "  over the bar" : "");
            }
            long over = figures.stream().filter(f -> f.p95() > 100).count();
            System.out.printf("%d queries; slowest p95 %.1f ms; %d over the 100 ms bar%n", figures.size(), figures.get(0).p95(), over);
        }
    }

    private static boolean isCustom(JsonNode dashboard, String name) {
        return Dashboards.variables(dashboard).stream()
                .anyMatch(v -> v.path("name").asText().equals(name) && v.path("type").asText().equals("custom"));
    }

    private static Figure time(PanelRunner runner, String what, String sql, Map<String, GrafanaSql.Value> vars, int runs)
            throws Exception {
        int rows = runner.run(sql, vars).rows().size();   // warm-up
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            runner.run(sql, vars);
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return new Figure(what, percentile(ms, 0.50), percentile(ms, 0.95), rows);
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
