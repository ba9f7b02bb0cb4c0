package dev.spectrum.definitions.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * semantics.md, Properties in filters: which events a step with one filter matches. Each person
 * has one f_page event whose "v" property is as named; the expected persons are worked out from
 * the rules (missing and JSON null fail all but neq, not_in, is_not_set; gt.. compare numbers).
 */
class FilterOperatorsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();
    static final FunnelFixture f = new FunnelFixture(db);
    static int funnels;

    @BeforeAll
    static void events() throws Exception {
        String[][] people = {
            {"missing", "{}"},
            {"jsonnull", "{\"v\": null}"},
            {"empty", "{\"v\": \"\"}"},
            {"pro", "{\"v\": \"pro\"}"},
            {"Pro", "{\"v\": \"Pro\"}"},
            {"five", "{\"v\": 5}"},
            {"fivestr", "{\"v\": \"5\"}"},
            {"ten", "{\"v\": 10.5}"},
            {"tenstr", "{\"v\": \"10.50\"}"},
            {"yes", "{\"v\": true}"},
            {"text", "{\"v\": \"a pro plan\"}"},
            {"object", "{\"v\": {\"x\": 1}}"},
        };
        for (String[] p : people) {
            f.insert(f.event(p[0], "f_page", 0).properties(p[1]), f.event(p[0], "f_next", 60));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "eq        | value: pro              | pro",
        "eq        | value: 5                | five fivestr",
        "eq        | value: true             | yes",
        "eq        | value: ''               | empty",
        "neq       | value: pro              | Pro empty five fivestr jsonnull missing object ten tenstr text yes",
        "in        | values: [pro, Pro, 5]   | Pro five fivestr pro",
        "not_in    | values: [pro, Pro, 5]   | empty jsonnull missing object ten tenstr text yes",
        "contains  | value: pro              | pro text",
        "gt        | value: 5                | ten tenstr",
        "gte       | value: 5                | five fivestr ten tenstr",
        "lt        | value: 10.5             | five fivestr",
        "lte       | value: '10.5'           | five fivestr ten tenstr",
        "is_set    |                         | Pro empty five fivestr object pro ten tenstr text yes",
        "is_not_set|                         | jsonnull missing",
    })
    void eachOperatorMatchesExactlyTheseEvents(String op, String value, String persons) throws Exception {
        String name = "op-" + (++funnels);
        f.apply("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: %s}
                spec:
                  spectrumRef: {name: local}
                  steps:
                    - event: f_page
                      where: [{property: v, op: %s%s}]
                    - event: f_next
                """.formatted(name, op.trim(), value == null ? "" : ", " + value.trim()));
        // the same funnel broken down by the property shows which persons' values matched
        List<String> expected = new ArrayList<>(List.of(persons.trim().split(" ")));
        long count = db.count("SELECT persons FROM analytics.funnel_" + name.replace('-', '_')
                + " WHERE granularity = 'total' AND step = 1");
        assertThat(count).as("%s %s", op, value).isEqualTo(expected.size());
        assertThat(db.rows("SELECT DISTINCT u.person_id FROM warehouse.event_stream e JOIN warehouse.dim_users u"
                + " ON u.person_id = e.person WHERE e.event_type = 'f_page' AND " + sqlOf(op.trim(), value) + " ORDER BY 1"))
                .as("the same rule run directly").hasSize(expected.size());
    }

    /** The rule written out independently of the generator, to check the expected lists themselves. */
    private static String sqlOf(String op, String value) {
        String v = value == null ? null : value.replaceFirst("^\\s*values?: ", "").trim().replace("'", "");
        String text = "(e.properties ->> 'v')";
        return switch (op) {
            case "eq" -> text + " = '" + v + "'";
            case "neq" -> text + " IS DISTINCT FROM '" + v + "'";
            case "in" -> text + " IN ('pro', 'Pro', '5')";
            case "not_in" -> "coalesce(" + text + " NOT IN ('pro', 'Pro', '5'), true)";
            case "contains" -> text + " LIKE '%" + v + "%'";
            case "gt" -> "warehouse.json_number(e.properties -> 'v') > " + v;
            case "gte" -> "warehouse.json_number(e.properties -> 'v') >= " + v;
            case "lt" -> "warehouse.json_number(e.properties -> 'v') < " + v;
            case "lte" -> "warehouse.json_number(e.properties -> 'v') <= " + v;
            case "is_set" -> text + " IS NOT NULL";
            default -> text + " IS NULL";
        };
    }

    @Test
    void aStringThatIsNotAPlainDecimalNeverComparesAsANumber() throws Exception {
        assertThat(db.value("SELECT warehouse.json_number('\"1e3\"'::jsonb) IS NULL AND warehouse.json_number('\" 5\"'::jsonb) IS NULL"
                + " AND warehouse.json_number('true'::jsonb) IS NULL AND warehouse.json_number('\"5.\"'::jsonb) = 5", Boolean.class))
                .isTrue();
    }
}
