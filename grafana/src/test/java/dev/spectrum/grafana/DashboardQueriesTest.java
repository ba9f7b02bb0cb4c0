package dev.spectrum.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every panel's and every variable's SQL, expanded as Grafana expands it and run as the reader in
 * a read-only transaction, on the shared benchmark data set at a small size with the benchmark's
 * three funnels and one experiment applied (and one failed pipeline run, so that the failed-runs
 * table has something to show).
 */
class DashboardQueriesTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();
    static PanelRunner reader;

    @BeforeAll
    static void load() throws Exception {
        SpectrumData.benchmarkDataSet(db, 20_000);
        db.execute("INSERT INTO analytics.pipeline_runs (started_at, finished_at, raw_from, raw_to, status, error)"
                + " VALUES (now() - interval '2 days', now() - interval '2 days', 1, 0, 'failed',"
                + " 'loading staging rows 1..1000 failed: could not extend file (disk full)')");
        reader = new PanelRunner(db);
    }

    @AfterAll
    static void close() throws SQLException {
        reader.close();
    }

    @Test
    void everyVariableQueryOffersValues() throws SQLException {
        for (var entry : Dashboards.all().entrySet()) {
            // combinations() runs every query variable with the values before it, and fails on an empty one
            assertThat(reader.combinations(entry.getValue(), 3)).as(entry.getKey()).isNotEmpty();
        }
    }

    @Test
    void everyPanelReturnsRowsWithTheColumnsItNames() throws SQLException {
        int checked = 0;
        for (var entry : Dashboards.all().entrySet()) {
            JsonNode dashboard = entry.getValue();
            for (Map<String, GrafanaSql.Value> variables : reader.combinations(dashboard, 3)) {
                for (Dashboards.Query q : Dashboards.queries(entry.getKey(), dashboard)) {
                    String where = q.where() + " with " + variables.entrySet();
                    PanelRunner.Result r = reader.run(q.rawSql(), variables);
                    assertThat(r.rows()).as(where + ": rows").isNotEmpty();
                    assertThat(r.columns()).as(where + ": columns its overrides and options name")
                            .containsAll(Dashboards.namedFields(q.panel()));
                    String fields = q.panel().path("options").path("reduceOptions").path("fields").asText("");
                    if (fields.startsWith("/") && fields.endsWith("/")) {
                        Pattern p = Pattern.compile(fields.substring(1, fields.length() - 1));
                        assertThat(r.columns().stream().anyMatch(c -> p.matcher(c).find())).as(where + ": " + fields).isTrue();
                    }
                    if (q.format().equals("time_series")) {
                        assertSortedTime(where, r);
                    }
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(40);
    }

    private static void assertSortedTime(String where, PanelRunner.Result r) {
        List<OffsetDateTime> times = new ArrayList<>();
        for (Object t : r.column("time")) {
            assertThat(t).as(where + ": time").isNotNull();
            times.add(t instanceof Timestamp ts ? ts.toInstant().atOffset(java.time.ZoneOffset.UTC) : OffsetDateTime.parse(t.toString().replace(' ', 'T').replaceAll("\\+00$", "Z")));
        }
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i)).as(where + ": time sorted").isAfterOrEqualTo(times.get(i - 1));
        }
        assertThat(times.get(0)).as(where + ": within the range").isAfterOrEqualTo(PanelRunner.FROM.atOffset(java.time.ZoneOffset.UTC).minusMonths(1));
    }

    @Test
    void theReaderCannotReadWhatDashboardsMustNot() throws SQLException {
        try {
            reader.run("SELECT count(*) FROM warehouse.fact_events", Map.of());
            throw new AssertionError("the reader read warehouse.fact_events");
        } catch (SQLException e) {
            assertThat(e.getSQLState()).isEqualTo("42501");   // insufficient_privilege
        }
    }
}
