package dev.spectrum.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The expansion itself, against the outputs Grafana's own tests give (macros_test.go, template_srv tests). */
class GrafanaSqlTest {

    static final GrafanaSql G = new GrafanaSql(Instant.parse("2018-04-12T18:00:00Z"), Instant.parse("2018-04-12T18:05:00Z"),
            Duration.ofMinutes(5));

    @Test
    void timeMacros() {
        assertThat(G.macros("WHERE $__timeFilter(time_column)"))
                .isEqualTo("WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'");
        assertThat(G.macros("select $__timeFrom()")).isEqualTo("select '2018-04-12T18:00:00Z'");
        assertThat(G.macros("select $__timeTo()")).isEqualTo("select '2018-04-12T18:05:00Z'");
        assertThat(G.macros("GROUP BY $__timeGroup(time_column,'5m')")).isEqualTo("GROUP BY floor(extract(epoch from time_column)/300)*300");
        assertThat(G.macros("select $__timeGroup(time_column,'5m'), x")).isEqualTo("select floor(extract(epoch from time_column)/300)*300 AS \"time\", x");
        assertThat(G.macros("select $__timeGroupAlias(time_column,'5m')")).isEqualTo("select floor(extract(epoch from time_column)/300)*300 AS \"time\"");
        assertThat(G.macros("select $__timeEpoch(time_column)")).isEqualTo("select extract(epoch from time_column) as \"time\"");
        assertThat(G.macros("select $__time(time_column)")).isEqualTo("select time_column AS \"time\"");
        assertThat(G.macros("select $__unixEpochFilter(time)")).isEqualTo("select time >= 1523556000 AND time <= 1523556300");
        assertThat(G.global("select $__unixEpochFrom(), $__unixEpochTo(), '$__interval', $__interval_ms"))
                .isEqualTo("select 1523556000, 1523556300, '5m', 300000");
        assertThatThrownBy(() -> G.macros("select $__nope(x)")).hasMessageContaining("unknown macro");
        assertThat(GrafanaSql.rfc3339Nano(Instant.parse("2018-04-12T18:00:00.120Z"))).isEqualTo("2018-04-12T18:00:00.12Z");
    }

    @Test
    void variableFormats() {
        Map<String, GrafanaSql.Value> vars = Map.of(
                "one", GrafanaSql.Value.single("it's"),
                "many", new GrafanaSql.Value(List.of("a", "b'c"), true));
        assertThat(G.variables("x = ${one:sqlstring}", vars)).isEqualTo("x = 'it''s'");
        assertThat(G.variables("x IN (${many:sqlstring})", vars)).isEqualTo("x IN ('a','b''c')");
        assertThat(G.variables("${many:csv}", vars)).isEqualTo("a,b'c");
        assertThat(G.variables("x = '$one'", vars)).isEqualTo("x = 'it''s'");          // single value: escaped, not quoted
        assertThat(G.variables("x IN ($many)", vars)).isEqualTo("x IN ('a','b''c')");   // multi: each quoted
        assertThat(G.variables("[[one]] $unknown $__timeFilter(t)", vars)).isEqualTo("it''s $unknown $__timeFilter(t)");
        assertThat(G.variables("$__interval", vars)).isEqualTo("5m");
    }
}
