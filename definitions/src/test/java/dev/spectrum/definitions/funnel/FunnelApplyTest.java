package dev.spectrum.definitions.funnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spectrum.definitions.InvalidDefinitionException;
import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.definitions.kind.DefinitionKind;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Applying, replacing and deleting funnel views; the combined view; refusing invalid funnels. */
class FunnelApplyTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();
    final FunnelFixture f = new FunnelFixture(db);

    static String funnel(String name, String window) {
        return """
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: %s}
                spec:
                  spectrumRef: {name: local}
                  window: %s
                  steps: [{event: %s_signup}, {event: %s_buy}]
                """.formatted(name, window, name, name);
    }

    @Test
    void reapplyingTheSameSpecChangesNothingAndAChangedSpecReplacesTheView() throws Exception {
        f.insert(f.event("r1", "replace-me_signup", 0), f.event("r1", "replace-me_buy", 2 * 3600));
        assertThat(f.apply(funnel("replace-me", "1h"))).isEqualTo(ViewStore.Outcome.CREATED);
        String appliedAt = db.value("SELECT applied_at::text FROM warehouse.definitions WHERE name = 'replace-me'", String.class);
        assertThat(f.apply(funnel("replace-me", "1h"))).isEqualTo(ViewStore.Outcome.UNCHANGED);
        assertThat(db.value("SELECT applied_at::text FROM warehouse.definitions WHERE name = 'replace-me'", String.class))
                .isEqualTo(appliedAt);
        assertThat(db.count("SELECT persons FROM analytics.funnel_replace_me WHERE granularity = 'total' AND step = 2")).isZero();

        // a 3 h window reaches the purchase 2 h later
        assertThat(f.apply(funnel("replace-me", "3h"))).isEqualTo(ViewStore.Outcome.REPLACED);
        assertThat(db.count("SELECT persons FROM analytics.funnel_replace_me WHERE granularity = 'total' AND step = 2")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM pg_matviews WHERE matviewname LIKE 'funnel_replace_me%'")).isEqualTo(1);
        assertThat(db.value("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'funnel_replace_me'", String.class))
                .isEqualTo("spectrum_pipeline");
    }

    @Test
    void theCombinedViewCoversExactlyTheFunnelsDefined() throws Exception {
        f.insert(f.event("c1", "combined-one_signup", 0), f.event("c1", "combined-two_signup", 0));
        f.apply(funnel("combined-one", "1h"));
        f.apply(funnel("combined-two", "1h"));
        assertThat(db.rows("SELECT DISTINCT funnel FROM analytics.mv_conversion_funnels WHERE funnel LIKE 'combined%' ORDER BY 1"))
                .containsExactly(List.of("combined-one"), List.of("combined-two"));

        assertThat(new ViewStore(db.dataSource()).delete(DefinitionKind.FUNNEL.kindName(), DefinitionKind.FUNNEL.shape(), "combined-one")).isTrue();
        assertThat(new ViewStore(db.dataSource()).delete(DefinitionKind.FUNNEL.kindName(), DefinitionKind.FUNNEL.shape(), "combined-one")).isFalse();
        assertThat(db.rows("SELECT DISTINCT funnel FROM analytics.mv_conversion_funnels WHERE funnel LIKE 'combined%'"))
                .containsExactly(List.of("combined-two"));
        assertThat(db.value("SELECT to_regclass('analytics.funnel_combined_one') IS NULL", Boolean.class)).isTrue();
        // the reader role sees the combined view and the per-funnel views
        try (Connection c = db.connect(); var st = c.createStatement()) {
            st.execute("SET ROLE spectrum_reader");
            try (var rs = st.executeQuery("SELECT count(*) FROM analytics.mv_conversion_funnels, analytics.funnel_combined_two")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void refreshPicksUpNewEventsAndIsRecorded() throws Exception {
        f.apply(funnel("refreshing", "1h"));
        f.insert(f.event("n1", "refreshing_signup", 0), f.event("n1", "refreshing_buy", 60));
        db.runPipeline();
        assertThat(db.count("SELECT count(*) FROM analytics.funnel_refreshing WHERE granularity = 'total'")).isZero();
        assertThat(new ViewStore(db.dataSource()).refresh(List.of("refreshing"))).containsExactly("analytics.funnel_refreshing");
        assertThat(db.count("SELECT persons FROM analytics.funnel_refreshing WHERE granularity = 'total' AND step = 2")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM analytics.view_refreshes WHERE view_name = 'analytics.funnel_refreshing'"))
                .isEqualTo(2); // at apply and at refresh
    }

    @Test
    void replacingWhileAnotherConnectionReadsTheCombinedViewNeverFailsTheReader() throws Exception {
        f.insert(f.event("w1", "busy_signup", 0), f.event("w1", "busy_buy", 60));
        f.apply(funnel("busy", "1h"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        var reader = CompletableFuture.runAsync(() -> {
            try (Connection c = db.connect(); var st = c.createStatement()) {
                while (!stop.get()) {
                    try (var rs = st.executeQuery("SELECT count(*) FROM analytics.mv_conversion_funnels WHERE funnel = 'busy'")) {
                        rs.next();
                        if (rs.getLong(1) == 0) {
                            throw new AssertionError("the busy funnel vanished from the combined view");
                        }
                        reads.incrementAndGet();
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        var store = new ViewStore(db.dataSource());
        for (int i = 0; i < 6; i++) {
            store.apply(FunnelFixture.definition(funnel("busy", (i + 2) + "h")), "{}");
        }
        stop.set(true);
        reader.get(30, TimeUnit.SECONDS);   // throws if the reader ever failed
        assertThat(reads.get()).isPositive();
    }

    @Test
    void invalidFunnelsAreRefusedWithWhatToChangeAndNothingIsApplied() {
        assertThatThrownBy(() -> FunnelFixture.definition("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: Bad_Name}
                spec:
                  spectrumRef: {name: local}
                  window: 2 weeks
                  lookback: 4000d
                  steps: [{event: x}, {event: x}, {event: y, where: [{property: n, op: gt, value: many}, {property: p, op: in, value: a}]}]
                  exclusions: [{event: z, afterStep: 2, beforeStep: 7}]
                """))
                .isInstanceOf(InvalidDefinitionException.class)
                .satisfies(e -> assertThat(((InvalidDefinitionException) e).problems()).containsExactly(
                        "metadata.name: 'Bad_Name' must be a DNS label of at most 40 characters (lower-case letters, digits and '-', starting with a letter)",
                        "spec.steps[1].name: the step name 'x' is used twice (names default to the event); give the repeated step a name of its own",
                        "spec.steps[2].where[0].value: gt compares numbers; 'many' is not a number",
                        "spec.steps[2].where[1]: in takes values (a non-empty list), not value",
                        "spec.window: '2 weeks' is not a duration; write a whole number and m, h or d, such as 7d",
                        "spec.lookback: 4000d is longer than the most allowed, 3650d",
                        "spec.exclusions[0]: afterStep 2 and beforeStep 7 must be steps of this funnel (1 to 3) with afterStep before beforeStep"));
    }

    @Test
    void unknownFieldsAndKindsAreRefused() {
        assertThatThrownBy(() -> FunnelFixture.definition("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: typo}
                spec:
                  spectrumRef: {name: local}
                  stesp: [{event: a}, {event: b}]
                """)).isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("stesp");
        assertThatThrownBy(() -> FunnelFixture.definition("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Dashboard
                metadata: {name: d}
                """)).isInstanceOf(InvalidDefinitionException.class).hasMessageContaining("kind: 'Dashboard' is not one ./spectrum applies (Funnel, Experiment)");
    }
}
