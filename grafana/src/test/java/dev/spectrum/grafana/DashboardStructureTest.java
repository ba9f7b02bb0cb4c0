package dev.spectrum.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/** dashboards.md, Conventions and Tests: every dashboard file, checked field by field. */
class DashboardStructureTest {

    static final Set<String> CORE_PANELS = Set.of("timeseries", "stat", "table", "barchart", "bargauge", "gauge", "text",
            "piechart", "heatmap", "histogram", "state-timeline", "status-history", "row");
    /** The macros and built-ins the dashboards may use (written with $__). */
    static final Set<String> BUILT_INS = Set.of("__timeFilter", "__timeFrom", "__timeTo", "__timeGroup", "__timeGroupAlias",
            "__interval", "__interval_ms", "__unixEpochFilter", "__unixEpochFrom", "__unixEpochTo", "__from", "__to");
    static final Map<String, JsonNode> DASHBOARDS = Dashboards.all();

    @Test
    void theSevenDashboardsExistOnePerFile() {
        assertThat(DASHBOARDS.keySet()).containsExactlyInAnyOrderElementsOf(Dashboards.NAMES);
    }

    @Test
    void dashboardSettingsFollowTheConventions() {
        DASHBOARDS.forEach((name, d) -> {
            assertThat(d.path("uid").asText()).as(name).isEqualTo("spectrum-" + name).hasSizeLessThanOrEqualTo(40);
            assertThat(d.path("schemaVersion").asInt()).as(name).isGreaterThanOrEqualTo(39);
            assertThat(d.path("timezone").asText()).as(name).isEqualTo("utc");
            assertThat(d.path("weekStart").asText()).as(name).isEqualTo("monday");
            assertThat(d.path("refresh").asText()).as(name).isEqualTo("5m");
            assertThat(d.path("time").path("from").asText()).as(name).isEqualTo("now-90d");
            assertThat(d.path("time").path("to").asText()).as(name).isEqualTo("now");
            assertThat(d.path("tags").toString()).as(name).isEqualTo("[\"spectrum\"]");
            assertThat(d.path("title").asText()).as(name).isNotBlank();
            assertThat(d.has("spec") || d.has("apiVersion")).as(name + " is classic dashboard JSON, not the v2 resource").isFalse();
        });
    }

    @Test
    void aDatasourceVariableListsOnlySpectrumDatasourcesAndEveryPanelAndQueryUsesIt() {
        DASHBOARDS.forEach((name, d) -> {
            JsonNode ds = Dashboards.variables(d).stream().filter(v -> v.path("name").asText().equals("datasource")).findFirst().orElseThrow();
            assertThat(ds.path("type").asText()).as(name).isEqualTo("datasource");
            assertThat(ds.path("query").asText()).as(name).isEqualTo("grafana-postgresql-datasource");
            assertThat(ds.path("regex").asText()).as(name).isEqualTo("/^Spectrum/");
            for (JsonNode panel : Dashboards.panels(d)) {
                if (panel.path("type").asText().equals("row") || panel.path("type").asText().equals("text")) {
                    continue;
                }
                assertThat(panel.path("datasource").path("uid").asText()).as(name + " / " + panel.path("title")).isEqualTo("${datasource}");
                assertThat(panel.path("datasource").path("type").asText()).isEqualTo("grafana-postgresql-datasource");
                assertThat(panel.path("targets")).as(name + " / " + panel.path("title")).isNotEmpty();
                for (JsonNode target : panel.path("targets")) {
                    assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
                    assertThat(target.path("datasource").path("type").asText()).isEqualTo("grafana-postgresql-datasource");
                }
            }
            for (JsonNode v : Dashboards.variables(d)) {
                if (v.path("type").asText().equals("query")) {
                    assertThat(v.path("datasource").path("uid").asText()).as(name + " $" + v.path("name")).isEqualTo("${datasource}");
                }
            }
        });
    }

    @Test
    void everyTargetIsRawCodeSqlInTableOrTimeSeriesFormat() {
        for (Dashboards.Query q : Dashboards.allQueries()) {
            assertThat(q.target().path("editorMode").asText()).as(q.where()).isEqualTo("code");
            assertThat(q.target().path("rawQuery").asBoolean()).as(q.where()).isTrue();
            assertThat(q.rawSql()).as(q.where()).isNotBlank();
            assertThat(q.format()).as(q.where()).isIn("table", "time_series");
        }
    }

    @Test
    void everyPanelIsACorePanelWithTitleDescriptionAndUnit() {
        DASHBOARDS.forEach((name, d) -> {
            for (JsonNode panel : Dashboards.panels(d)) {
                String where = name + " / " + panel.path("title").asText();
                assertThat(panel.path("type").asText()).as(where).isIn(CORE_PANELS);
                if (panel.path("type").asText().equals("row")) {
                    continue;
                }
                assertThat(panel.path("title").asText()).as(where).isNotBlank();
                assertThat(panel.path("description").asText()).as(where).hasSizeGreaterThan(40);
                assertThat(panel.path("fieldConfig").path("defaults").path("unit").asText()).as(where).isNotBlank();
            }
        });
    }

    @Test
    void panelsFitTheGridWithoutOverlapAndIdsAndRefIdsAreUnique() {
        DASHBOARDS.forEach((name, d) -> {
            Set<Integer> ids = new HashSet<>();
            List<int[]> boxes = new ArrayList<>();
            for (JsonNode panel : d.path("panels")) {
                String where = name + " / " + panel.path("title").asText();
                assertThat(ids.add(panel.path("id").asInt(-1))).as(where + ": unique id").isTrue();
                JsonNode g = panel.path("gridPos");
                int x = g.path("x").asInt(-1), y = g.path("y").asInt(-1), w = g.path("w").asInt(0), h = g.path("h").asInt(0);
                assertThat(x).as(where).isGreaterThanOrEqualTo(0);
                assertThat(y).as(where).isGreaterThanOrEqualTo(0);
                assertThat(w).as(where).isBetween(1, 24);
                assertThat(h).as(where).isGreaterThanOrEqualTo(1);
                assertThat(x + w).as(where + ": within 24 columns").isLessThanOrEqualTo(24);
                for (int[] b : boxes) {
                    boolean overlap = x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h;
                    assertThat(overlap).as(where + " overlaps another panel").isFalse();
                }
                boxes.add(new int[] {x, y, w, h});
                Set<String> refIds = new HashSet<>();
                for (JsonNode target : panel.path("targets")) {
                    assertThat(refIds.add(target.path("refId").asText())).as(where + ": unique refId").isTrue();
                }
            }
        });
    }

    @Test
    void everyVariableReferenceIsDefinedAndTextReachesSqlOnlyAsSqlstring() {
        DASHBOARDS.forEach((name, d) -> {
            Set<String> defined = new HashSet<>();
            Dashboards.variables(d).forEach(v -> defined.add(v.path("name").asText()));
            String all = Dashboards.text(name);
            Matcher m = GrafanaSql.VARIABLE.matcher(all);
            while (m.find()) {
                String var = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(4);
                assertThat(defined.contains(var) || BUILT_INS.contains(var)).as(name + ": " + m.group() + " is defined").isTrue();
            }
            List<String> sqls = new ArrayList<>();
            Dashboards.queries(name, d).forEach(q -> sqls.add(q.rawSql()));
            Dashboards.variables(d).stream().filter(v -> v.path("type").asText().equals("query")).forEach(v -> sqls.add(Dashboards.variableSql(v)));
            for (String sql : sqls) {
                Matcher s = GrafanaSql.VARIABLE.matcher(sql);
                while (s.find()) {
                    String var = s.group(1) != null ? s.group(1) : s.group(2) != null ? s.group(2) : s.group(4);
                    if (!BUILT_INS.contains(var)) {
                        assertThat(s.group()).as(name + ": a variable in SQL").isEqualTo("${" + var + ":sqlstring}");
                    }
                }
            }
        });
    }

    @Test
    void nothingReadsStagingOrWarehouse() {
        for (String name : DASHBOARDS.keySet()) {
            String text = Dashboards.text(name).toLowerCase(java.util.Locale.ROOT);
            assertThat(text).as(name).doesNotContain("staging.").doesNotContain("warehouse.");
        }
    }

    @Test
    void everyDashboardShowsHowFreshItsDataIs() {
        DASHBOARDS.forEach((name, d) -> assertThat(Dashboards.queries(name, d).stream()
                        .anyMatch(q -> q.rawSql().contains("analytics.view_refreshes") || q.rawSql().contains("analytics.pipeline_runs")))
                .as(name).isTrue());
    }

    @Test
    void weekBucketsNeverComeFromEpochWeeks() {
        for (Dashboards.Query q : Dashboards.allQueries()) {
            assertThat(q.rawSql().replace(" ", "")).as(q.where()).doesNotContainPattern("\\$__timeGroup(Alias)?\\([^)]*'(1w|7d)'");
        }
    }
}
