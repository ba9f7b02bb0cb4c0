package dev.spectrum.definitions.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.TestDatabase;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Edge cases of the strict and unordered orders (semantics.md), worked out by hand. */
class StrictAndUnorderedTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();
    final FunnelFixture f = new FunnelFixture(db);

    static final long M = 60;
    static final long H = 3600;

    static String funnel(String name, String order, String window, String steps, String extra) {
        return """
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: %s}
                spec:
                  spectrumRef: {name: local}
                  order: %s
                  window: %s
                  steps: %s
                %s""".formatted(name, order, window, steps, extra);
    }

    @Test
    void strictWindowEdgesSameInstantAndALaterAttempt() throws Exception {
        f.insert(
                // a: next event exactly at the window end (1 h) -> depth 2 (3600 s)
                f.event("sa", "st_a", 0), f.event("sa", "st_b", H),
                // b: next event one second past the window -> depth 1
                f.event("sb", "st_a", 0), f.event("sb", "st_b", H + 1),
                // c: both at the same instant; event order (time, event_id) puts st_a first -> depth 2 (0 s)
                f.event("sc", "st_a", 5).id("00000000-0000-4000-8000-00000000000a"),
                f.event("sc", "st_b", 5).id("00000000-0000-4000-8000-00000000000b"),
                // d: interrupted first attempt, a later step-1 converts -> depth 2 (60 s)
                f.event("sd", "st_a", 0), f.event("sd", "st_x", M), f.event("sd", "st_a", 2 * M), f.event("sd", "st_b", 3 * M));
        f.apply(funnel("strict-edges", "strict", "1h", "[{event: st_a}, {event: st_b}]", ""));
        // step 2: a, c, d = 3 of 4; median of {3600, 0, 60} = 60
        assertThat(f.total("funnel_strict_edges")).isEqualTo(List.of(
                Arrays.asList("1", "st_a", "4", "1", "1", null),
                Arrays.asList("2", "st_b", "3", "0.75", "0.75", "60")));
    }

    @Test
    void strictWithTheSameEventTwice() throws Exception {
        // r: page, page -> depth 2; s: page, other, page -> depth 1 (interrupted)
        f.insert(f.event("sr", "sp_page", 0), f.event("sr", "sp_page", M),
                f.event("ss", "sp_page", 0), f.event("ss", "sp_other", M), f.event("ss", "sp_page", 2 * M));
        f.apply(funnel("strict-twice", "strict", "1h", "[{event: sp_page}, {event: sp_page, name: again}]", ""));
        // s's second page starts an attempt of its own that goes nowhere: s stays at depth 1
        assertThat(f.total("funnel_strict_twice")).isEqualTo(List.of(
                Arrays.asList("1", "sp_page", "2", "1", "1", null),
                Arrays.asList("2", "again", "1", "0.5", "0.5", "60")));
    }

    @Test
    void unorderedWithTheSameEventTwiceNeedsTwoEvents() throws Exception {
        // one page -> depth 1; two pages -> depth 2 (90 s)
        f.insert(f.event("ua", "ut_page", 0), f.event("ub", "ut_page", 0), f.event("ub", "ut_page", 90));
        f.apply(funnel("unordered-twice", "unordered", "1h", "[{event: ut_page}, {event: ut_page, name: again}]", ""));
        assertThat(f.total("funnel_unordered_twice")).isEqualTo(List.of(
                Arrays.asList("1", "ut_page", "2", "1", "1", null),
                Arrays.asList("2", "again", "1", "0.5", "0.5", "90")));
    }

    @Test
    void unorderedThreeStepsInReverseWithAnExclusion() throws Exception {
        f.insert(
                // ra: c, b, a in reverse order within the window -> depth 3; times 60, 60
                f.event("ra", "uo_c", 0), f.event("ra", "uo_b", M), f.event("ra", "uo_a", 2 * M),
                // rb: a, then an exclusion, then b (exclusion between steps 1 and 2) -> discarded
                f.event("rb", "uo_a", 0), f.event("rb", "uo_stop", M), f.event("rb", "uo_b", 2 * M),
                // rc: b then c -> depth 2 (30 s); the exclusion afterStep 1 never applies without step 1
                f.event("rc", "uo_b", 0), f.event("rc", "uo_stop", 10), f.event("rc", "uo_c", 30));
        f.apply(funnel("reverse", "unordered", "1h", "[{event: uo_a}, {event: uo_b}, {event: uo_c}]",
                "  exclusions: [{event: uo_stop, afterStep: 1, beforeStep: 2}]\n"));
        // rb: the attempt from a is discarded, but its attempt starting at b (completing b only:
        // a is before it) is not: rb counts at depth 1. Units: ra 3, rb 1, rc 2.
        // step 1: 3; step 2: ra, rc = 2, median of {60, 30} = 45; step 3: ra = 1, median 60
        assertThat(f.total("funnel_reverse")).isEqualTo(List.of(
                Arrays.asList("1", "uo_a", "3", "1", "1", null),
                Arrays.asList("2", "uo_b", "2", "0.6666666666666666", "0.6666666666666666", "45"),
                Arrays.asList("3", "uo_c", "1", "0.3333333333333333", "0.5", "60")));
    }
}
