package dev.spectrum.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs dashboard SQL the way Grafana would against a Spectrum database: expanded for a fixed UTC
 * range (the 90 days up to the end of today, as "now-90d to now" gives at midnight tomorrow) with
 * {@code $__interval} at 1h, in a READ ONLY transaction, as a login that is a member of
 * {@code spectrum_reader} only.
 */
final class PanelRunner implements AutoCloseable {

    /** Columns and rows of one query (values as JDBC returns them). */
    record Result(List<String> columns, List<List<Object>> rows) {
        List<Object> column(String name) {
            int i = columns.indexOf(name);
            if (i < 0) {
                throw new AssertionError("no column " + name + " in " + columns);
            }
            List<Object> out = new ArrayList<>();
            rows.forEach(r -> out.add(r.get(i)));
            return out;
        }
    }

    static final Instant TO = LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    static final Instant FROM = TO.minus(Duration.ofDays(90));
    static final GrafanaSql GRAFANA = new GrafanaSql(FROM, TO, Duration.ofHours(1));

    private final String login;
    private final Connection connection;

    PanelRunner(TestDatabase db) throws SQLException {
        login = TestDatabase.createLogin("spectrum_reader");
        connection = DriverManager.getConnection(db.url(), login, "");
        connection.setAutoCommit(false);
    }

    /** On a connection made elsewhere (the benchmark's reader login), which close() closes. */
    PanelRunner(Connection connection) throws SQLException {
        this.login = null;
        this.connection = connection;
        connection.setAutoCommit(false);
    }

    Result run(String rawSql, Map<String, GrafanaSql.Value> variables) throws SQLException {
        String sql = GRAFANA.expand(rawSql, variables);
        if (sql.contains("$__") || sql.contains("${")) {
            throw new AssertionError("not expanded: " + sql);
        }
        try (var st = connection.createStatement()) {
            st.execute("BEGIN READ ONLY");
            try (ResultSet rs = st.executeQuery(sql)) {
                int n = rs.getMetaData().getColumnCount();
                List<String> columns = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    columns.add(rs.getMetaData().getColumnLabel(i));
                }
                List<List<Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getObject(i));
                    }
                    rows.add(row);
                }
                return new Result(columns, rows);
            } catch (SQLException e) {
                throw new SQLException(e.getMessage() + "\n--- expanded SQL:\n" + sql, e.getSQLState(), e);
            } finally {
                connection.rollback();
            }
        }
    }

    /** The values a variable offers: a query variable's rows (__value, else the first column), a custom variable's options. */
    List<String> values(JsonNode variable, Map<String, GrafanaSql.Value> resolved) throws SQLException {
        List<String> out = new ArrayList<>();
        switch (variable.path("type").asText()) {
            case "query" -> {
                Result r = run(Dashboards.variableSql(variable), resolved);
                int i = r.columns().contains("__value") ? r.columns().indexOf("__value") : 0;
                r.rows().forEach(row -> out.add(String.valueOf(row.get(i))));
            }
            case "custom" -> variable.path("options").forEach(o -> out.add(o.path("value").asText()));
            default -> throw new AssertionError("variable type " + variable.path("type").asText());
        }
        return out;
    }

    /**
     * Every combination of values to test a dashboard with: each custom variable's every
     * option, each query variable's values (at most {@code perQuery} of them) as its own query
     * returns them, resolved in the dashboard's order (so that one variable can use another).
     */
    List<Map<String, GrafanaSql.Value>> combinations(JsonNode dashboard, int perQuery) throws SQLException {
        List<Map<String, GrafanaSql.Value>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        for (JsonNode variable : Dashboards.variables(dashboard)) {
            if (variable.path("type").asText().equals("datasource")) {
                continue;
            }
            String name = variable.path("name").asText();
            List<Map<String, GrafanaSql.Value>> next = new ArrayList<>();
            for (Map<String, GrafanaSql.Value> combo : combos) {
                List<String> values = values(variable, combo);
                if (values.isEmpty()) {
                    throw new AssertionError("variable $" + name + " offers no value with " + combo);
                }
                for (String value : values.subList(0, Math.min(perQuery, values.size()))) {
                    Map<String, GrafanaSql.Value> with = new LinkedHashMap<>(combo);
                    with.put(name, GrafanaSql.Value.single(value));
                    next.add(with);
                }
            }
            combos = next;
        }
        return combos;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
        if (login != null) {
            TestDatabase.dropLogin(login);
        }
    }
}
