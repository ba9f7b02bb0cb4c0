package dev.spectrum.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Panels against numbers worked out by hand on a small data set, through the same expansion
 * and the reader login: the funnel's step bars, the retention grid, the DAU stat.
 *
 * <pre>
 * funnel "known-answers": signup -> activated -> purchase, 7d window
 *   P1 all three steps, P2 signup and activated, P3 signup only, P4 activated only (never entered)
 * one person, V, active yesterday and 3 weeks ago; P1..P4 active 10 days ago (and after)
 * revenue in the 90-day range FROM..today, whose whole calendar months start at WHOLE:
 *   account a (R): 10 on FROM, 20 on WHOLE + 10, 5 today; account b (S): 100 the day before
 *   FROM (outside), 7 on WHOLE; account c (R): a refund of -3 today
 * </pre>
 */
class KnownAnswersTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();
    static PanelRunner reader;
    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    static final LocalDate BASE = TODAY.minusDays(10);
    /** The first day of the panels' range ("now-90d" to "now", PanelRunner) and of its first whole month. */
    static final LocalDate FROM = PanelRunner.FROM.atZone(ZoneOffset.UTC).toLocalDate();
    static final LocalDate WHOLE = FROM.getDayOfMonth() == 1 ? FROM : FROM.withDayOfMonth(1).plusMonths(1);

    @BeforeAll
    static void load() throws Exception {
        event("P1", "signup", BASE, "10:00");
        event("P1", "activated", BASE, "11:00");
        event("P1", "purchase", BASE.plusDays(2), "09:00");
        event("P2", "signup", BASE, "12:00");
        event("P2", "activated", BASE.plusDays(1), "12:00");
        event("P3", "signup", BASE, "13:00");
        event("P4", "activated", BASE, "14:00");
        event("V", "view", TODAY.minusDays(1), "23:59");
        event("V", "view", TODAY.minusWeeks(3), "08:00");
        event("P3", "view", TODAY.minusDays(1), "00:00");
        purchase("R", "a", FROM, "10");
        purchase("R", "a", WHOLE.plusDays(10), "20");
        purchase("R", "a", TODAY, "5");
        purchase("S", "b", FROM.minusDays(1), "100");
        purchase("S", "b", WHOLE, "7");
        purchase("R", "c", TODAY, "-3");
        db.runPipeline();
        SpectrumData.apply(db, """
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: known-answers}
                spec:
                  spectrumRef: {name: t}
                  steps: [{event: signup}, {event: activated}, {event: purchase}]
                  window: 7d
                """);
        reader = new PanelRunner(db);
    }

    @AfterAll
    static void close() throws SQLException {
        reader.close();
    }

    @Test
    void funnelStepBarsAreTheFunnelsPersons() throws SQLException {
        PanelRunner.Result bars = run("funnels", "Persons per step",
                Map.of("funnel", GrafanaSql.Value.single("known-answers"), "breakdown", GrafanaSql.Value.single(""),
                        "entry", GrafanaSql.Value.single("week")));
        assertThat(bars.column("step")).containsExactly("1. signup", "2. activated", "3. purchase");
        assertThat(longs(bars.column("converted"))).containsExactly(3L, 2L, 1L);
        assertThat(longs(bars.column("dropped off"))).containsExactly(0L, 1L, 1L);
        assertThat(longs(bars.column("converted"))).containsExactlyElementsOf(longs(column(db.rows(
                "SELECT persons FROM analytics.mv_conversion_funnels WHERE funnel = 'known-answers'"
                        + " AND granularity = 'total' AND breakdown = '' ORDER BY step"))));
        PanelRunner.Result overall = run("funnels", "Overall conversion",
                Map.of("funnel", GrafanaSql.Value.single("known-answers"), "breakdown", GrafanaSql.Value.single("")));
        assertThat(((Number) overall.rows().get(0).get(0)).doubleValue()).isEqualTo(1.0 / 3);
    }

    @Test
    void retentionGridCellsAreTheCohortViewsRates() throws SQLException {
        for (String granularity : List.of("week", "day")) {
            PanelRunner.Result grid = run("retention", "Cohort grid", Map.of("granularity", GrafanaSql.Value.single(granularity)));
            List<List<Object>> cells = new ArrayList<>();
            for (List<Object> row : grid.rows()) {
                for (int n = 0; n <= (granularity.equals("week") ? 12 : 30); n++) {
                    Object v = row.get(grid.columns().indexOf(String.valueOf(n)));
                    if (v != null) {
                        cells.add(List.of(row.get(0).toString(), n, ((Number) v).doubleValue()));
                    }
                }
            }
            List<List<Object>> expected = db.rows(
                    "SELECT to_char(cohort_start, 'YYYY-MM-DD'), period_number, retention_rate FROM analytics.mv_retention_cohorts"
                            + " WHERE granularity = '" + granularity + "'"
                            + " AND period_number <= " + (granularity.equals("week") ? 12 : 30)   // the grid's columns
                            + " AND cohort_start >= date_trunc('" + granularity + "', DATE '" + FROM + "')::date").stream()   // its rows
                    .map(r -> List.<Object>of(r.get(0), Integer.parseInt(r.get(1)), Double.parseDouble(r.get(2)))).toList();
            assertThat(cells).as(granularity).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(cells).isNotEmpty();
        }
        // by hand: the week cohort of P1..P4 (4 persons); P3 came back yesterday
        LocalDate week = BASE.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        PanelRunner.Result grid = run("retention", "Cohort grid", Map.of("granularity", GrafanaSql.Value.single("week")));
        List<Object> row = grid.rows().stream().filter(r -> r.get(0).equals(week.toString())).findFirst().orElseThrow();
        assertThat(row.get(grid.columns().indexOf("persons"))).hasToString("4");
        assertThat(((Number) row.get(grid.columns().indexOf("0"))).doubleValue()).isEqualTo(1.0);
    }

    @Test
    void dauStatIsYesterdaysActivePersons() throws SQLException {
        PanelRunner.Result dau = run("overview", "Daily active persons", Map.of());
        List<Object> values = dau.column("dau");
        assertThat(values.get(values.size() - 1)).hasToString("2");   // V and P3, yesterday
        assertThat(values.get(values.size() - 1)).hasToString(db.rows(
                "SELECT dau FROM analytics.mv_active_persons WHERE day = current_date - 1").get(0).get(0));
        PanelRunner.Result wau = run("overview", "Weekly active persons", Map.of());
        List<Object> w = wau.column("wau");
        assertThat(w.get(w.size() - 1)).hasToString("2");
        PanelRunner.Result mau = run("overview", "Monthly active persons", Map.of());
        List<Object> m = mau.column("mau");
        assertThat(m.get(m.size() - 1)).hasToString("5");   // P1..P4 ten days ago, V
    }

    @Test
    void topAccountsAddUpTheirDaysAcrossWholeMonthsAndTheDaysAround() throws SQLException {
        assertThat(WHOLE.plusMonths(1)).as("a whole month inside the range").isBefore(TODAY);
        PanelRunner.Result top = run("revenue", "Top accounts", Map.of("period", GrafanaSql.Value.single("day")));
        assertThat(top.column("account")).containsExactly("a", "b", "c");
        assertThat(decimals(top.column("revenue"))).containsExactly("35", "7", "-3");
        assertThat(longs(top.column("orders"))).containsExactly(3L, 1L, 1L);
        // the same as the day rows of the range, summed
        assertThat(decimals(top.column("revenue"))).isEqualTo(decimals(column(db.rows(
                "SELECT sum(revenue) FROM analytics.mv_revenue_summary WHERE granularity = 'day'"
                        + " AND account_id <> '' AND period_start BETWEEN '" + FROM + "' AND '" + TODAY + "'"
                        + " GROUP BY account_id ORDER BY sum(revenue) DESC"))));
    }

    private static PanelRunner.Result run(String dashboard, String title, Map<String, GrafanaSql.Value> vars) throws SQLException {
        JsonNode d = Dashboards.all().get(dashboard);
        Dashboards.Query q = Dashboards.queries(dashboard, d).stream()
                .filter(x -> x.panel().path("title").asText().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError("no panel " + title + " in " + dashboard));
        return reader.run(q.rawSql(), vars);
    }

    private static List<Long> longs(List<?> values) {
        return values.stream().map(v -> Long.parseLong(v.toString())).toList();
    }

    /** Numbers as plain text without trailing zeros (numeric's scale differs between queries). */
    private static List<String> decimals(List<?> values) {
        return values.stream().map(v -> new BigDecimal(v.toString()).stripTrailingZeros().toPlainString()).toList();
    }

    private static List<Object> column(List<List<String>> rows) {
        return rows.stream().map(r -> (Object) r.get(0)).toList();
    }

    private static void purchase(String person, String account, LocalDate day, String revenue) throws SQLException {
        RawEvent.of("purchase").user(person).account(account).at(day + "T08:00:00Z").properties("{\"revenue\": " + revenue + "}").insertInto(db);
    }

    private static void event(String person, String type, LocalDate day, String time) throws SQLException {
        RawEvent.of(type).user(person).at(day + "T" + time + ":00Z").insertInto(db);
    }
}
