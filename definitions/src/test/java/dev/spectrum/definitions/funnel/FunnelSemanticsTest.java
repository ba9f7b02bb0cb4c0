package dev.spectrum.definitions.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.sql.testing.TestDatabase;
import java.time.DayOfWeek;
import java.time.temporal.TemporalAdjusters;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Funnels in every order (semantics.md), numbers worked out by hand in the comments. */
class FunnelSemanticsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();
    final FunnelFixture f = new FunnelFixture(db);

    static final long M = 60;
    static final long H = 3600;

    @Test
    void checkoutFunnelWithFiltersWindowEdgesRepeatsAndLaterAttempts() throws Exception {
        f.insert(
                // p1: every step, 10 min apart -> depth 3 (600 s, 600 s)
                f.event("p1", "o_signup", 0), f.event("p1", "o_cart", 10 * M).properties("{\"plan\": \"pro\"}"),
                f.event("p1", "o_purchase", 20 * M),
                // p2: a cart with plan free fails the filter; team at 30 min; purchase exactly at the window end (1 h)
                f.event("p2", "o_signup", 0), f.event("p2", "o_cart", 5 * M).properties("{\"plan\": \"free\"}"),
                f.event("p2", "o_cart", 30 * M).properties("{\"plan\": \"team\"}"), f.event("p2", "o_purchase", H),
                // p3: purchase one second past the window -> depth 2 (600 s)
                f.event("p3", "o_signup", 0), f.event("p3", "o_cart", 10 * M).properties("{\"plan\": \"pro\"}"),
                f.event("p3", "o_purchase", H + 1),
                // p4: the first attempt goes nowhere; a later signup converts -> depth 2 (300 s)
                f.event("p4", "o_signup", 0), f.event("p4", "o_signup", 2 * H),
                f.event("p4", "o_cart", 2 * H + 5 * M).properties("{\"plan\": \"pro\"}"),
                // p5: a purchase before the signup does not count -> depth 2 (60 s)
                f.event("p5", "o_purchase", 0), f.event("p5", "o_signup", M),
                f.event("p5", "o_cart", 2 * M).properties("{\"plan\": \"pro\"}"),
                // p6: all three at the same instant (equal timestamps are fine) -> depth 3 (0 s, 0 s)
                f.event("p6", "o_signup", 0), f.event("p6", "o_cart", 0).properties("{\"plan\": \"pro\"}"),
                f.event("p6", "o_purchase", 0),
                // p7: repeated steps: the first signup's attempt reaches depth 3 with the earliest cart
                // (3 min) and the earliest purchase after it (6 min) -> 180 s, 180 s
                f.event("p7", "o_signup", 0), f.event("p7", "o_signup", M),
                f.event("p7", "o_cart", 3 * M).properties("{\"plan\": \"pro\"}"),
                f.event("p7", "o_cart", 4 * M).properties("{\"plan\": \"pro\"}"), f.event("p7", "o_purchase", 6 * M),
                // p8: signup only -> depth 1
                f.event("p8", "o_signup", 0));

        assertThat(f.apply("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: checkout}
                spec:
                  spectrumRef: {name: local}
                  window: 1h
                  steps:
                    - event: o_signup
                    - event: o_cart
                      name: cart
                      where: [{property: plan, op: in, values: [pro, team]}]
                    - event: o_purchase
                """)).isEqualTo(ViewStore.Outcome.CREATED);

        // step 1: p1..p8 = 8. step 2: p1..p7 = 7 (7/8 = 0.875). step 3: p1, p2, p6, p7 = 4 (4/8, 4/7).
        // medians: step 2 of {600, 1800, 600, 300, 60, 0, 180} = 300; step 3 of {600, 1800, 0, 180} = (180 + 600) / 2 = 390
        List<List<String>> expected = List.of(
                Arrays.asList("1", "o_signup", "8", "1", "1", null),
                Arrays.asList("2", "cart", "7", "0.875", "0.875", "300"),
                Arrays.asList("3", "o_purchase", "4", "0.5", "0.5714285714285714", "390"));
        assertThat(f.total("funnel_checkout")).isEqualTo(expected);
        // every attempt entered on BASE's day (the latest at 02:00), so the day and week rows are the same
        assertThat(f.rows("funnel_checkout", "day", "period_start = '" + FunnelFixture.BASE.toLocalDate() + "'", ""))
                .isEqualTo(expected);
        String monday = FunnelFixture.BASE.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toString();
        assertThat(f.rows("funnel_checkout", "week", "period_start = '" + monday + "'", "")).isEqualTo(expected);
        assertThat(db.count("SELECT count(*) FROM analytics.funnel_checkout")).isEqualTo(9);
        assertThat(db.count("SELECT count(*) FROM analytics.mv_conversion_funnels WHERE funnel = 'checkout'")).isEqualTo(9);
    }

    @Test
    void theSameEventTwiceNeedsItDoneTwice() throws Exception {
        // a: two pages -> depth 2; b: one page -> depth 1; c: two pages at the same instant -> depth 2
        f.insert(f.event("a", "t_page", 0), f.event("a", "t_page", M), f.event("b", "t_page", 0),
                f.event("c", "t_page", 5), f.event("c", "t_page", 5));
        f.apply("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: twice}
                spec:
                  spectrumRef: {name: local}
                  steps: [{event: t_page}, {event: t_page, name: again}]
                """);
        assertThat(f.total("funnel_twice")).isEqualTo(List.of(
                Arrays.asList("1", "t_page", "3", "1", "1", null),
                Arrays.asList("2", "again", "2", "0.6666666666666666", "0.6666666666666666", "30"))); // median of 60, 0
    }

    @Test
    void exclusionsDiscardAttemptsWithTheEventBetweenTheSteps() throws Exception {
        f.insert(
                // a: cancelled between signup and purchase -> discarded, counts nowhere
                f.event("xa", "x_signup", 0), f.event("xa", "x_cancelled", M), f.event("xa", "x_purchase", 2 * M),
                // b: cancelled after the purchase -> depth 2
                f.event("xb", "x_signup", 0), f.event("xb", "x_purchase", M), f.event("xb", "x_cancelled", 2 * M),
                // c: never purchased, cancelled within the window (1 h) -> discarded
                f.event("xc", "x_signup", 0), f.event("xc", "x_cancelled", 30 * M),
                // d: never purchased, cancelled after the window end -> depth 1
                f.event("xd", "x_signup", 0), f.event("xd", "x_cancelled", 2 * H));
        f.apply("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: no-cancel}
                spec:
                  spectrumRef: {name: local}
                  window: 1h
                  steps: [{event: x_signup}, {event: x_purchase}]
                  exclusions: [{event: x_cancelled, afterStep: 1, beforeStep: 2}]
                """);
        assertThat(f.total("funnel_no_cancel")).isEqualTo(List.of(
                Arrays.asList("1", "x_signup", "2", "1", "1", null),
                Arrays.asList("2", "x_purchase", "1", "0.5", "0.5", "60")));
    }

    @Test
    void breakdownByAStepOnePropertyAndCountingAccounts() throws Exception {
        f.insert(
                // account acme: u1 (google) converts; u2 (google) does not -> acme counted once per value
                f.event("u1", "b_signup", 0).account("acme").properties("{\"utm\": \"google\"}"),
                f.event("u1", "b_buy", M).account("acme"),
                f.event("u2", "b_signup", 0).account("acme").properties("{\"utm\": \"google\"}"),
                // account beta: no utm -> breakdown ''
                f.event("u3", "b_signup", 0).account("beta"), f.event("u3", "b_buy", 2 * M).account("beta"),
                // no account: left out when counting accounts
                f.event("u4", "b_signup", 0).properties("{\"utm\": \"google\"}"), f.event("u4", "b_buy", M));
        f.apply("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: by-utm}
                spec:
                  spectrumRef: {name: local}
                  countBy: account
                  breakdown: {property: utm}
                  steps: [{event: b_signup}, {event: b_buy}]
                """);
        // google: acme (u1 converts: depth 2) -> 1, 1; '': beta -> 1, 1
        assertThat(f.rows("funnel_by_utm", "total", "period_start IS NULL", "google")).isEqualTo(List.of(
                Arrays.asList("1", "b_signup", "1", "1", "1", null),
                Arrays.asList("2", "b_buy", "1", "1", "1", "60")));
        assertThat(f.rows("funnel_by_utm", "total", "period_start IS NULL", "")).isEqualTo(List.of(
                Arrays.asList("1", "b_signup", "1", "1", "1", null),
                Arrays.asList("2", "b_buy", "1", "1", "1", "120")));
    }

    @Test
    void strictOrderIsInterruptedByAnyOtherEvent() throws Exception {
        f.insert(
                // y: signup, cart, purchase back to back -> depth 3
                f.event("sy", "s_signup", 0), f.event("sy", "s_cart", M), f.event("sy", "s_purchase", 2 * M),
                // x: a page between signup and cart interrupts -> depth 1
                f.event("sx", "s_signup", 0), f.event("sx", "s_page", 30), f.event("sx", "s_cart", M));
        f.apply("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: strict-checkout}
                spec:
                  spectrumRef: {name: local}
                  order: strict
                  steps: [{event: s_signup}, {event: s_cart}, {event: s_purchase}]
                """);
        assertThat(f.total("funnel_strict_checkout")).isEqualTo(List.of(
                Arrays.asList("1", "s_signup", "2", "1", "1", null),
                Arrays.asList("2", "s_cart", "1", "0.5", "0.5", "60"),
                Arrays.asList("3", "s_purchase", "1", "0.5", "1", "60")));
    }

    @Test
    void unorderedCountsDistinctStepsFromAnyStartInAnyOrder() throws Exception {
        f.insert(
                // ua: purchase, then signup 2 min later -> both steps from the purchase: depth 2 (120 s)
                f.event("ua", "u_signup", 2 * M), f.event("ua", "u_purchase", 0),
                // ub: signup only -> depth 1
                f.event("ub", "u_signup", 0),
                // uc: signup, purchase 2 h later: outside the 1 h window from either start -> depth 1
                f.event("uc", "u_signup", 0), f.event("uc", "u_purchase", 2 * H),
                // ud: both at the same instant -> depth 2 (0 s)
                f.event("ud", "u_signup", 10), f.event("ud", "u_purchase", 10));
        f.apply("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: any-order}
                spec:
                  spectrumRef: {name: local}
                  order: unordered
                  window: 1h
                  steps: [{event: u_signup}, {event: u_purchase}]
                """);
        // step 1 (at least one step): 4; step 2: ua, ud = 2; median of {120, 0} = 60
        assertThat(f.total("funnel_any_order")).isEqualTo(List.of(
                Arrays.asList("1", "u_signup", "4", "1", "1", null),
                Arrays.asList("2", "u_purchase", "2", "0.5", "0.5", "60")));
    }

    @Test
    void dayRowsGroupPersonsByTheDayTheyEntered() throws Exception {
        f.insert(
                // day 0: d1 converts, d2 does not; day 1: d1 again (does not convert), d3 converts
                f.event("d1", "d_signup", 10 * H), f.event("d1", "d_buy", 10 * H + M),
                f.event("d2", "d_signup", 11 * H),
                f.event("d1", "d_signup", 24 * H + 10 * M),
                f.event("d3", "d_signup", 25 * H), f.event("d3", "d_buy", 25 * H + 2 * M));
        f.apply("""
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: daily}
                spec:
                  spectrumRef: {name: local}
                  window: 30m
                  steps: [{event: d_signup}, {event: d_buy}]
                """);
        String day0 = FunnelFixture.BASE.toLocalDate().toString();
        String day1 = FunnelFixture.BASE.toLocalDate().plusDays(1).toString();
        assertThat(f.rows("funnel_daily", "day", "period_start = '" + day0 + "'", "")).isEqualTo(List.of(
                Arrays.asList("1", "d_signup", "2", "1", "1", null),
                Arrays.asList("2", "d_buy", "1", "0.5", "0.5", "60")));
        assertThat(f.rows("funnel_daily", "day", "period_start = '" + day1 + "'", "")).isEqualTo(List.of(
                Arrays.asList("1", "d_signup", "2", "1", "1", null),
                Arrays.asList("2", "d_buy", "1", "0.5", "0.5", "120")));
        // over the whole lookback each person once, with their deepest attempt: d1, d2, d3; d1 and d3 convert
        assertThat(f.total("funnel_daily")).isEqualTo(List.of(
                Arrays.asList("1", "d_signup", "3", "1", "1", null),
                Arrays.asList("2", "d_buy", "2", "0.6666666666666666", "0.6666666666666666", "90")));
    }
}
