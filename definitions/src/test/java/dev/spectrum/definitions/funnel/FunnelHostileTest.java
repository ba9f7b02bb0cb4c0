package dev.spectrum.definitions.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.definitions.sql.SqlText;
import dev.spectrum.definitions.v1alpha1.Funnel;
import dev.spectrum.definitions.v1alpha1.FunnelSpec;
import dev.spectrum.definitions.v1alpha1.FunnelStep;
import dev.spectrum.definitions.v1alpha1.PropertyFilter;
import dev.spectrum.definitions.v1alpha1.SpectrumRef;
import dev.spectrum.definitions.v1alpha1.FilterOp;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.spectrum.sql.testing.Json;
import dev.spectrum.sql.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hostile text in event names, property names and values: applied cleanly, matched exactly, no other object made. */
class FunnelHostileTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();
    final FunnelFixture f = new FunnelFixture(db);

    static final List<String> HOSTILE = List.of(
            "'; DROP TABLE warehouse.fact_events; --",
            "\\'; SELECT 1; --",
            "$$; CREATE TABLE public.pwned(x int); $$",
            "\" OR 1=1 --",
            "ünïcødé 日本語 😀",
            "a\\\\b\\nc",
            "SELECT * FROM staging.raw_events;");

    @Test
    void sqlLiteralsDoubleQuotesAndBackslashes() {
        assertThat(SqlText.literal("it's a \\ test")).isEqualTo("E'it''s a \\\\ test'");
        assertThat(SqlText.identifier("we\"ird")).isEqualTo("\"we\"\"ird\"");
    }

    @Test
    void hostileEventsPropertiesAndValuesMatchExactlyTheirEvents() throws Exception {
        List<String> before = objects();
        int i = 0;
        for (String s : HOSTILE) {
            String person = "h" + i++;
            String json = "{" + Json.string(s) + ": " + Json.string(s) + "}";
            // matches: the hostile event with the hostile property equal to the hostile value, then the hostile step 2
            f.insert(f.event(person, s, 0).properties(json), f.event(person, s + " 2", 60));
            // near misses: same event with another value; a different event type
            f.insert(f.event(person + "x", s, 0).properties("{" + Json.string(s) + ": \"other\"}"), f.event(person + "x", s + " 2", 60));
            f.insert(f.event(person + "y", s + " ", 0).properties(json), f.event(person + "y", s + " 2", 60));

            Funnel funnel = new Funnel();
            funnel.setMetadata(new ObjectMetaBuilder().withName("hostile-" + i).build());
            FunnelSpec spec = new FunnelSpec();
            spec.setSpectrumRef(new SpectrumRef("local"));
            FunnelStep first = new FunnelStep(s);
            PropertyFilter filter = new PropertyFilter();
            filter.setProperty(s);
            filter.setOp(FilterOp.eq);
            filter.setValue(new TextNode(s));
            first.setWhere(new ArrayList<>(List.of(filter)));
            FunnelStep second = new FunnelStep(s + " 2");
            second.setName(s + " (second)");
            spec.setSteps(new ArrayList<>(List.of(first, second)));
            funnel.setSpec(spec);

            db.runPipeline();
            assertThat(new ViewStore(db.dataSource()).apply(FunnelDefinition.from(funnel), "{}"))
                    .isEqualTo(ViewStore.Outcome.CREATED);
            assertThat(db.rows("SELECT step, step_name, persons FROM analytics.funnel_hostile_" + i
                    + " WHERE granularity = 'total' ORDER BY step"))
                    .as("funnel for %s", s)
                    .containsExactly(List.of("1", s, "1"), List.of("2", s + " (second)", "1"));
        }
        List<String> created = new ArrayList<>(objects());
        created.removeAll(before);
        assertThat(created).allMatch(name -> name.startsWith("analytics.funnel_hostile_") || name.startsWith("warehouse.fact_events_y"));
        assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'pwned'")).isZero();
    }

    private static List<String> objects() throws Exception {
        List<String> names = new ArrayList<>();
        for (List<String> row : db.rows("SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname IN ('public', 'staging', 'warehouse', 'analytics') ORDER BY 1")) {
            names.add(row.get(0));
        }
        return names;
    }
}
