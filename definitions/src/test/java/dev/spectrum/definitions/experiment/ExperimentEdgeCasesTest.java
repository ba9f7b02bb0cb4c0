package dev.spectrum.definitions.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.definitions.files.DefinitionFiles;
import dev.spectrum.definitions.v1alpha1.Experiment;
import dev.spectrum.sql.testing.Json;
import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Edge cases answered, not crashed; hostile text; what the definition check refuses. */
class ExperimentEdgeCasesTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final OffsetDateTime BASE = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).minusDays(3);

    static void expose(String key, String person, String variant, int minute) throws Exception {
        RawEvent.of("experiment_exposure").user(person).at(BASE.plusMinutes(minute))
                .properties("{\"experiment\": " + Json.string(key) + ", \"variant\": " + Json.string(variant) + "}").insertInto(db);
    }

    static void event(String person, String type, int minute) throws Exception {
        RawEvent.of(type).user(person).at(BASE.plusMinutes(minute)).insertInto(db);
    }

    static void apply(String yaml) throws Exception {
        db.runPipeline();
        new ViewStore(db.dataSource()).apply(ExperimentDefinition.from((Experiment) DefinitionFiles.parse(yaml).get(0)), "{}");
    }

    static String yaml(String name, String metrics) {
        return """
                apiVersion: spectrum.dev/v1alpha1
                kind: Experiment
                metadata: {name: %s}
                spec:
                  spectrumRef: {name: local}
                  variants: [{name: a, weight: 1}, {name: b, weight: 1}]
                  metrics: %s
                """.formatted(name, metrics);
    }

    List<List<String>> rows(String view) throws Exception {
        return db.rows("SELECT metric, variant, persons, mean, stddev, abs_lift, rel_lift, p_value, significant,"
                + " chance_to_beat_control FROM analytics." + view + " ORDER BY metric, variant");
    }

    @Test
    void aControlMeanOfZeroGivesNoLiftAndNoTest() throws Exception {
        // nobody in a converts; in b one of two converts
        expose("zero", "z1", "a", 0); expose("zero", "z2", "a", 1);
        expose("zero", "z3", "b", 2); expose("zero", "z4", "b", 3);
        event("z3", "zero_buy", 10);
        apply(yaml("zero", "[{name: buy, type: conversion, event: zero_buy}]"));
        assertThat(rows("experiment_zero")).containsExactly(
                Arrays.asList("buy", "a", "2", "0", "0", null, null, null, null, null),
                Arrays.asList("buy", "b", "2", "0.5", "0.5", null, null, null, null, null));
    }

    @Test
    void aVariantWithOnePersonIsNotTested() throws Exception {
        expose("single", "s1", "a", 0); expose("single", "s2", "a", 1); expose("single", "s3", "b", 2);
        event("s1", "single_buy", 10); event("s3", "single_buy", 10); event("s3", "single_buy", 11);
        apply(yaml("single", "[{name: buys, type: count, event: single_buy}]"));
        // a: values 1, 0 -> mean 0.5, sample sd 0.7071...; b: one person, count 2 -> stddev null, nothing tested
        assertThat(rows("experiment_single")).containsExactly(
                Arrays.asList("buys", "a", "2", "0.5", "0.7071067811865476", null, null, null, null, null),
                Arrays.asList("buys", "b", "1", "2", null, null, null, null, null, null));
    }

    @Test
    void everyoneConvertingHasLiftsButNoTest() throws Exception {
        for (int i = 0; i < 4; i++) {
            expose("all", "all" + i, i < 2 ? "a" : "b", i);
            event("all" + i, "all_buy", 10 + i);
        }
        apply(yaml("all", "[{name: buy, type: conversion, event: all_buy}, {name: nothing, type: count, event: never_happens}]"));
        // buy: means 1 and 1, variances 0: se = 0 -> lifts 0, no p-value; nothing: means 0 -> control mean 0
        assertThat(rows("experiment_all")).containsExactly(
                Arrays.asList("buy", "a", "2", "1", "0", null, null, null, null, null),
                Arrays.asList("buy", "b", "2", "1", "0", "0", "0", null, null, null),
                Arrays.asList("nothing", "a", "2", "0", "0", null, null, null, null, null),
                Arrays.asList("nothing", "b", "2", "0", "0", null, null, null, null, null));
    }

    @Test
    void hostileKeysVariantsEventsAndPropertiesAreData() throws Exception {
        List<String> hostile = List.of("'; DROP TABLE warehouse.fact_events; --", "$$ x $$", "\\\"q\\\" \\\\", "ünï 😀");
        int i = 0;
        for (String s : hostile) {
            i++;
            String key = "key " + s;
            expose(key, "h" + i + "a", "a " + s, 0);
            expose(key, "h" + i + "b", "b " + s, 1);
            RawEvent.of("buy " + s).user("h" + i + "b").at(BASE.plusMinutes(5))
                    .properties("{" + Json.string(s) + ": " + Json.string(s) + "}").insertInto(db);
            // the same event with another value of the property does not count
            RawEvent.of("buy " + s).user("h" + i + "a").at(BASE.plusMinutes(5))
                    .properties("{" + Json.string(s) + ": \"other\"}").insertInto(db);
            apply("""
                    apiVersion: spectrum.dev/v1alpha1
                    kind: Experiment
                    metadata: {name: hostile-%d}
                    spec:
                      spectrumRef: {name: local}
                      key: %s
                      variants: [{name: %s, weight: 1}, {name: %s, weight: 1}]
                      metrics: [{name: %s, type: count, event: %s, where: [{property: %s, op: eq, value: %s}]}]
                    """.formatted(i, Json.string(key), Json.string("a " + s), Json.string("b " + s), Json.string("m " + s),
                    Json.string("buy " + s), Json.string(s), Json.string(s)));
            assertThat(db.rows("SELECT metric, variant, persons, mean FROM analytics.experiment_hostile_" + i + " ORDER BY variant"))
                    .containsExactly(List.of("m " + s, "a " + s, "1", "0"), List.of("m " + s, "b " + s, "1", "1"));
        }
        assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname = 'fact_events'")).isEqualTo(1);
    }

    @Test
    void definitionsTheSchemaCannotCheckAreRefused() {
        assertThatThrownBy(() -> ExperimentDefinition.from((Experiment) DefinitionFiles.parse("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Experiment
                metadata: {name: bad}
                spec:
                  spectrumRef: {name: local}
                  variants: [{name: a, weight: 1}, {name: a, weight: 2}]
                  control: c
                  metrics: [{name: m, type: sum, event: e}, {name: m, type: count, event: e}]
                  start: "2026-11-02T00:00:00Z"
                  end: "2026-11-01T00:00:00Z"
                  stats: {alpha: 0.7}
                """).get(0)))
                .isInstanceOf(InvalidDefinitionException.class)
                .satisfies(e -> assertThat(((InvalidDefinitionException) e).problems()).containsExactly(
                        "spec.variants[1].name: the variant 'a' is listed twice",
                        "spec.control: 'c' is not one of the variants [a]",
                        "spec.metrics[0].property: a sum metric needs the numeric property to add up",
                        "spec.metrics[1].name: the metric 'm' is listed twice",
                        "spec.end: must be after spec.start",
                        "spec.stats.alpha: must be between 0 and 0.5 (exclusive), such as 0.05"));
    }
}
