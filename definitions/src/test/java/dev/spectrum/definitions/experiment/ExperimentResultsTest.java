package dev.spectrum.definitions.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.definitions.files.DefinitionFiles;
import dev.spectrum.definitions.v1alpha1.Experiment;
import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole experiments on generated exposures and conversions with a planted effect, held to
 * {@link ReferenceStatistics} (an independent implementation with Apache Commons Math) to 1e-6.
 */
class ExperimentResultsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final OffsetDateTime BASE = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).minusDays(5);
    static final List<String> METRICS = List.of("purchase_rate", "revenue", "checkout_views");
    static final Map<String, Boolean> CONVERSION = Map.of("purchase_rate", true, "revenue", false, "checkout_views", false);
    static final List<String> VARIANTS = List.of("control", "treatment");
    /** metric -> variant -> per-person values, worked out here from what was generated. */
    static final Map<String, Map<String, List<Double>>> VALUES = new HashMap<>();

    @BeforeAll
    static void generate() throws Exception {
        for (String m : METRICS) {
            VALUES.put(m, new HashMap<>(Map.of("control", new ArrayList<>(), "treatment", new ArrayList<>())));
        }
        Random rnd = new Random(7);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            for (int i = 0; i < 600; i++) {
                String person = "x" + i;
                String variant = rnd.nextBoolean() ? "control" : "treatment";
                OffsetDateTime t0 = BASE.plusMinutes(i);
                exposure(person, "checkout-test", variant, t0).insertWith(c);
                exposure(person, "checkout-test", variant, t0.plusHours(1)).insertWith(c);   // again: same variant, t0 stays
                exposure(person, "other-test", variant.equals("control") ? "treatment" : "control", t0).insertWith(c); // another experiment
                double rate = variant.equals("control") ? 0.10 : 0.20;
                int purchases = rnd.nextDouble() < rate ? 1 + rnd.nextInt(2) : 0;
                double revenue = 0;
                for (int k = 0; k < purchases; k++) {
                    double amount = 10 + rnd.nextInt(9000) / 100.0;
                    revenue += amount;
                    RawEvent.of("purchase").user(person).at(t0.plusHours(1 + rnd.nextInt(20)))
                            .properties("{\"revenue\": " + amount + "}").insertWith(c);
                }
                // outside the window: before the exposure, and after t0 + 1 day
                RawEvent.of("purchase").user(person).at(t0.minusHours(1)).properties("{\"revenue\": 1000}").insertWith(c);
                RawEvent.of("purchase").user(person).at(t0.plusDays(1).plusMinutes(1)).properties("{\"revenue\": 1000}").insertWith(c);
                int views = rnd.nextInt(5);
                int checkoutViews = 0;
                for (int k = 0; k < views; k++) {
                    boolean checkout = rnd.nextBoolean();
                    checkoutViews += checkout ? 1 : 0;
                    RawEvent.of("page_view").user(person).at(t0.plusMinutes(10L * (k + 1)))
                            .properties("{\"path\": \"" + (checkout ? "/checkout/step" : "/home") + "\"}").insertWith(c);
                }
                VALUES.get("purchase_rate").get(variant).add(purchases > 0 ? 1.0 : 0.0);
                VALUES.get("revenue").get(variant).add(revenue);
                VALUES.get("checkout_views").get(variant).add((double) checkoutViews);
            }
            // left out: exposed to both variants; only before start; only after end; only to a variant not in the spec
            for (int i = 0; i < 10; i++) {
                exposure("both" + i, "checkout-test", "control", BASE.plusHours(2)).insertWith(c);
                exposure("both" + i, "checkout-test", "treatment", BASE.plusHours(3)).insertWith(c);
                RawEvent.of("purchase").user("both" + i).at(BASE.plusHours(4)).properties("{\"revenue\": 5}").insertWith(c);
                exposure("early" + i, "checkout-test", "control", BASE.minusHours(1)).insertWith(c);
                exposure("late" + i, "checkout-test", "treatment", BASE.plusDays(3)).insertWith(c);
                exposure("other" + i, "checkout-test", "new-layout", BASE.plusHours(1)).insertWith(c);
            }
            c.commit();
        }
        db.runPipeline();
    }

    static RawEvent exposure(String person, String experiment, String variant, OffsetDateTime at) {
        return RawEvent.of("experiment_exposure").user(person).at(at)
                .properties("{\"experiment\": \"" + experiment + "\", \"variant\": \"" + variant + "\"}");
    }

    static String yaml(String name, String key, String correction, String variants) {
        return """
                apiVersion: spectrum.dev/v1alpha1
                kind: Experiment
                metadata: {name: %s}
                spec:
                  spectrumRef: {name: local}
                  key: %s
                  variants: %s
                  metrics:
                    - {name: purchase_rate, type: conversion, event: purchase}
                    - {name: revenue, type: sum, event: purchase, property: revenue}
                    - name: checkout_views
                      type: count
                      event: page_view
                      where: [{property: path, op: contains, value: /checkout}]
                  window: 1d
                  start: "%s"
                  end: "%s"
                  stats: {alpha: 0.05, correction: %s}
                """.formatted(name, key, variants, BASE, BASE.plusDays(3), correction);
    }

    static void apply(String yaml) throws Exception {
        var experiment = ExperimentDefinition.from((Experiment) DefinitionFiles.parse(yaml).get(0));
        new ViewStore(db.dataSource()).apply(experiment, "{}");
    }

    @ParameterizedTest(name = "correction {0}")
    @ValueSource(strings = {"none", "holm", "benjamini-hochberg"})
    void everyNumberMatchesTheReference(String correction) throws Exception {
        String name = "planted-" + correction;
        apply(yaml(name, "checkout-test", correction, "[{name: control, weight: 50}, {name: treatment, weight: 50}]"));
        var reference = ReferenceStatistics.compute(METRICS, CONVERSION, VARIANTS, "control", VALUES, 0.05, correction);
        long control = VALUES.get("purchase_rate").get("control").size();
        long treatment = VALUES.get("purchase_rate").get("treatment").size();
        Double srm = ReferenceStatistics.srm(new long[] {control, treatment}, new double[] {50, 50});

        try (Connection c = db.connect(); var q = c.prepareStatement(
                "SELECT * FROM analytics.mv_experiment_results WHERE experiment = ? AND metric = ? AND variant = ?")) {
            for (var expected : reference) {
                q.setString(1, name);
                q.setString(2, expected.metric());
                q.setString(3, expected.variant());
                try (ResultSet rs = q.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    String row = expected.metric() + "/" + expected.variant();
                    assertThat(rs.getBoolean("is_control")).as(row).isEqualTo(expected.control());
                    assertThat(rs.getLong("persons")).as(row).isEqualTo(expected.n());
                    close(rs, "mean", expected.mean(), row);
                    close(rs, "stddev", expected.stddev(), row);
                    close(rs, "abs_lift", expected.absLift(), row);
                    close(rs, "rel_lift", expected.relLift(), row);
                    close(rs, "rel_lift_ci_low", expected.ciLow(), row);
                    close(rs, "rel_lift_ci_high", expected.ciHigh(), row);
                    close(rs, "p_value", expected.p(), row);
                    close(rs, "chance_to_beat_control", expected.chance(), row);
                    close(rs, "srm_p_value", srm, row);
                    Boolean significant = expected.pAdjusted() == null ? null : expected.pAdjusted() < 0.05;
                    assertThat((Boolean) rs.getObject("significant")).as(row + " significant").isEqualTo(significant);
                }
            }
        }
        // the planted effect is there: purchase rate up, significant without correction
        if (correction.equals("none")) {
            assertThat(db.value("SELECT rel_lift > 0 AND significant FROM analytics.experiment_planted_none"
                    + " WHERE metric = 'purchase_rate' AND variant = 'treatment'", Boolean.class)).isTrue();
        }
        // 600 persons: those exposed to both, before start, after end or to an unknown variant are out
        assertThat(control + treatment).isEqualTo(600);
    }

    @Test
    void aPlantedSampleRatioMismatchAndAVariantNobodySawAreReported() throws Exception {
        // weights 1:1:1, but nobody is ever exposed to "ghost": the split is 50:50:0
        apply(yaml("srm-check", "checkout-test", "none",
                "[{name: control, weight: 1}, {name: treatment, weight: 1}, {name: ghost, weight: 1}]"));
        long control = VALUES.get("purchase_rate").get("control").size();
        long treatment = VALUES.get("purchase_rate").get("treatment").size();
        double srm = ReferenceStatistics.srm(new long[] {control, treatment, 0}, new double[] {1, 1, 1});
        assertThat(srm).isLessThan(1e-6);
        try (Connection c = db.connect(); var st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT persons, mean, stddev, p_value, significant, srm_p_value FROM analytics.experiment_srm_check"
                        + " WHERE metric = 'purchase_rate' AND variant = 'ghost'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong("persons")).isZero();
            assertThat(rs.getObject("mean")).isNull();
            assertThat(rs.getObject("stddev")).isNull();
            assertThat(rs.getObject("p_value")).isNull();
            assertThat(rs.getObject("significant")).isNull();
            assertThat(rs.getDouble("srm_p_value")).isCloseTo(srm, org.assertj.core.data.Percentage.withPercentage(1e-4))
                    .isLessThan(0.001);
        }
    }

    static void close(ResultSet rs, String column, Double expected, String row) throws SQLException {
        Object actual = rs.getObject(column);
        if (expected == null) {
            assertThat(actual).as(row + " " + column).isNull();
            return;
        }
        assertThat(actual).as(row + " " + column).isNotNull();
        double value = rs.getDouble(column);
        double tolerance = Math.abs(expected) < 1e-6 ? 1e-6 * Math.abs(expected) : 1e-6;
        assertThat(value).as(row + " " + column).isCloseTo(expected, org.assertj.core.data.Offset.offset(tolerance));
    }
}
