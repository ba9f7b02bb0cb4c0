package dev.spectrum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./spectrum forget ID (data-model.md, Data lifecycle): alice, with an anonymous id linked by her
 * first event and one linked a day later, and bob, unrelated but in the same account and once on
 * an event with one of alice's anonymous ids. Forgetting alice removes exactly her events from
 * staging, facts, dimensions, links and every view (sessions, retention, revenue, a funnel and an
 * experiment applied through ./spectrum apply); the numbers after are worked out by hand below.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForgetCommandTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    @TempDir
    static Path definitions;

    static final OffsetDateTime BASE = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).minusDays(10);
    static final List<RawEvent> ALICE = new ArrayList<>();

    record Result(int status, String out, String err) {
    }

    @Test
    @Order(1)
    void forgettingAliceRemovesExactlyHerEventsEverywhere() throws Exception {
        // alice: 6 events. a-before is linked by her first event (signup), a-after by a login a day later.
        ALICE.add(RawEvent.of("page").anon("a-before").at(BASE).insertInto(db));
        ALICE.add(RawEvent.of("signup").user("alice").anon("a-before").account("acme").at(BASE.plusSeconds(600)).insertInto(db));
        ALICE.add(RawEvent.of("experiment_exposure").user("alice").properties("{\"experiment\": \"checkout\", \"variant\": \"treatment\"}")
                .at(BASE.plusSeconds(700)).insertInto(db));
        ALICE.add(RawEvent.of("purchase").user("alice").account("acme").properties("{\"revenue\": 30}").at(BASE.plusSeconds(900)).insertInto(db));
        ALICE.add(RawEvent.of("page").anon("a-after").at(BASE.plusDays(1)).insertInto(db));
        ALICE.add(RawEvent.of("login").user("alice").anon("a-after").at(BASE.plusDays(1).plusSeconds(600)).insertInto(db));
        // bob: 5 events, same account; one carries alice's a-after with his own user id (his, not hers).
        RawEvent.of("signup").user("bob").anon("b-anon").account("acme").at(BASE.plusSeconds(100)).insertInto(db);
        RawEvent.of("experiment_exposure").user("bob").properties("{\"experiment\": \"checkout\", \"variant\": \"control\"}")
                .at(BASE.plusSeconds(200)).insertInto(db);
        RawEvent.of("purchase").user("bob").account("acme").properties("{\"revenue\": 12.5}").at(BASE.plusSeconds(300)).insertInto(db);
        RawEvent.of("page").user("bob").anon("a-after").at(BASE.plusDays(2)).insertInto(db);
        RawEvent.of("page").anon("b-anon").at(BASE.plusDays(3)).insertInto(db);
        // one event of alice's still in staging, not yet loaded when she is forgotten
        db.runPipeline();
        ALICE.add(RawEvent.of("page").user("alice").at(BASE.plusDays(4)).insertInto(db));
        applyDefinitions();

        // before: both persons everywhere
        assertThat(funnelStep1()).isEqualTo(2);
        assertThat(experimentPersons("treatment")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM analytics.mv_sessions")).isEqualTo(5);
        assertThat(db.value("SELECT sum(revenue)::text FROM analytics.mv_revenue_summary WHERE granularity = 'day' AND account_id = ''",
                String.class)).isEqualTo("42.5");

        // an anonymous id linked to a user is not a person: nothing removed
        Result linked = spectrum("forget", "a-before");
        assertThat(linked.status()).isEqualTo(1);
        assertThat(linked.err().strip()).isEqualTo("spectrum: this is an anonymous id linked to a user, not a person:"
                + " forget the user's id instead; nothing removed");
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(11);

        Result forget = spectrum("forget", "alice");

        assertThat(forget.status()).isZero();
        assertThat(forget.out()).startsWith("Forgot the person: 6 events removed from the warehouse, 7 rows from staging;"
                + " the analytics views are refreshed without them (");
        // staging: bob's 5 rows, his row with a-after included
        assertThat(db.rows("SELECT coalesce(user_id, '-'), coalesce(anonymous_id, '-') FROM staging.raw_events ORDER BY id"))
                .containsExactly(List.of("bob", "b-anon"), List.of("bob", "-"), List.of("bob", "-"),
                        List.of("bob", "a-after"), List.of("-", "b-anon"));
        // facts and dimensions
        assertThat(db.rows("SELECT DISTINCT person FROM warehouse.event_stream")).containsExactly(List.of("bob"));
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(5);
        assertThat(db.rows("SELECT id_kind, distinct_id, person_id FROM warehouse.dim_users ORDER BY 1, 2"))
                .containsExactly(List.of("anonymous", "b-anon", "bob"), List.of("user", "bob", "bob"));
        assertThat(db.rows("SELECT anonymous_id, user_id FROM warehouse.identity_links")).containsExactly(List.of("b-anon", "bob"));
        assertThat(db.rows("SELECT account_id FROM warehouse.dim_accounts")).containsExactly(List.of("acme"));
        // the event ids stay in the dedup registry, the one not yet loaded included
        for (RawEvent e : ALICE) {
            assertThat(db.count("SELECT count(*) FROM warehouse.loaded_events WHERE event_id = '" + e.eventId() + "'")).isEqualTo(1);
        }
        // every view: bob alone
        assertThat(funnelStep1()).isEqualTo(1);
        assertThat(db.count("SELECT persons FROM analytics.mv_conversion_funnels WHERE funnel = 'forget-funnel'"
                + " AND granularity = 'total' AND step = 2")).isEqualTo(1);
        assertThat(experimentPersons("treatment")).isZero();
        assertThat(experimentPersons("control")).isEqualTo(1);
        assertThat(db.rows("SELECT DISTINCT person FROM analytics.mv_sessions")).containsExactly(List.of("bob"));
        assertThat(db.count("SELECT count(*) FROM analytics.mv_sessions")).isEqualTo(3);
        assertThat(db.count("SELECT cohort_size FROM analytics.mv_retention_cohorts"
                + " WHERE granularity = 'day' AND period_number = 0 AND cohort_start = '" + BASE.toLocalDate() + "'")).isEqualTo(1);
        assertThat(db.value("SELECT sum(revenue)::text FROM analytics.mv_revenue_summary WHERE granularity = 'day' AND account_id = ''",
                String.class)).isEqualTo("12.5");
        assertThat(db.count("SELECT sum(paying_persons)::bigint FROM analytics.mv_revenue_summary WHERE granularity = 'month' AND account_id = 'acme'"))
                .isEqualTo(1);
        // the audit row: the hash of the id, never the id
        assertThat(db.rows("SELECT id_sha256, events_removed, staging_rows_removed, views_refreshed FROM warehouse.forgotten_persons"))
                .containsExactly(List.of(sha256("alice"), "6", "7", "t"));
        assertThat(db.count("SELECT count(*) FROM warehouse.forgotten_persons WHERE id_sha256 LIKE '%alice%'")).isZero();
    }

    @Test
    @Order(2)
    void forgettingAgainSaysSoAndAnUnknownIdIsAnError() throws Exception {
        Result again = spectrum("forget", "alice");
        assertThat(again.status()).isZero();
        assertThat(again.out()).startsWith("This id was forgotten at ").contains("; nothing of it is left to remove");

        Result unknown = spectrum("forget", "nobody-at-all");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err().strip()).isEqualTo("spectrum: no person has this id (neither a user id nor an unlinked"
                + " anonymous id seen in staging or the warehouse); nothing removed");
        assertThat(db.count("SELECT count(*) FROM warehouse.forgotten_persons")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(5);

        Result missing = spectrum("forget");
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required parameter: 'ID'");
    }

    @Test
    @Order(3)
    void aReplayOfAForgottenEventIsADuplicateAndALaterEventIsNewData() throws Exception {
        RawEvent first = ALICE.get(1);
        RawEvent.of("signup").id(first.eventId()).user("alice").anon("a-before").at(BASE.plusSeconds(600)).insertInto(db);
        RawEvent.of("signup").id(ALICE.get(6).eventId()).user("alice").at(BASE.plusDays(4)).insertInto(db);
        var later = RawEvent.of("page").user("alice").at(BASE.plusDays(5)).insertInto(db);
        db.runPipeline();

        assertThat(db.rows("SELECT events_loaded, duplicates_skipped FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1"))
                .containsExactly(List.of("1", "2"));
        assertThat(db.rows("SELECT event_id::text FROM warehouse.event_stream WHERE person = 'alice'"))
                .containsExactly(List.of(later.eventId().toString()));
        // forgotten anonymous ids start afresh: no link came back with the duplicate
        assertThat(db.count("SELECT count(*) FROM warehouse.identity_links WHERE anonymous_id = 'a-before'")).isZero();
    }

    @Test
    @Order(4)
    void hostileIdsAreData() throws Exception {
        List<String> hostile = List.of("'; DROP TABLE warehouse.fact_events; --", "$$; CREATE TABLE public.pwned(x int); $$",
                "%s %I %L \\' \"\"", "ünïcødé 😀\nline");
        for (String id : hostile) {
            RawEvent.of("page").user(id).at(BASE.plusDays(6)).insertInto(db);
            RawEvent.of("page").anon(id + "-anon").at(BASE.plusDays(6)).insertInto(db);
        }
        db.runPipeline();
        long facts = db.count("SELECT count(*) FROM warehouse.fact_events");
        for (String id : hostile) {
            Result user = spectrum("forget", id, "--no-refresh");
            assertThat(user.status()).as(id).isZero();
            assertThat(user.out()).startsWith("Forgot the person: 1 events removed from the warehouse, 1 rows from staging;"
                    + " the analytics views still show them until the next refresh");
            Result anonymous = spectrum("forget", id + "-anon", "--no-refresh");
            assertThat(anonymous.status()).as(id).isZero();
        }
        assertThat(db.count("SELECT count(*) FROM warehouse.fact_events")).isEqualTo(facts - 2L * hostile.size());
        assertThat(db.count("SELECT count(*) FROM pg_tables WHERE tablename = 'pwned'")).isZero();
        for (String id : hostile) {
            assertThat(db.count("SELECT count(*) FROM warehouse.forgotten_persons WHERE id_sha256 = '" + sha256(id) + "'"
                    + " AND NOT views_refreshed")).isEqualTo(1);
        }
    }

    private static void applyDefinitions() throws Exception {
        Files.writeString(definitions.resolve("funnel.yaml"), """
                apiVersion: spectrum.dev/v1alpha1
                kind: Funnel
                metadata: {name: forget-funnel}
                spec:
                  spectrumRef: {name: local}
                  steps:
                    - event: signup
                    - event: purchase
                """);
        Files.writeString(definitions.resolve("experiment.yaml"), """
                apiVersion: spectrum.dev/v1alpha1
                kind: Experiment
                metadata: {name: forget-experiment}
                spec:
                  spectrumRef: {name: local}
                  key: checkout
                  variants: [{name: control, weight: 50}, {name: treatment, weight: 50}]
                  metrics:
                    - {name: purchase_rate, type: conversion, event: purchase}
                  window: 1d
                  start: "%s"
                  end: "%s"
                """.formatted(BASE.minusDays(1), BASE.plusDays(5)));
        Result apply = spectrum("apply", "-f", definitions.toString());
        assertThat(apply.status()).as(apply.err()).isZero();
    }

    private static long funnelStep1() throws Exception {
        return db.count("SELECT persons FROM analytics.mv_conversion_funnels WHERE funnel = 'forget-funnel'"
                + " AND granularity = 'total' AND step = 1");
    }

    private static long experimentPersons(String variant) throws Exception {
        return db.count("SELECT persons FROM analytics.mv_experiment_results WHERE experiment = 'forget-experiment'"
                + " AND metric = 'purchase_rate' AND variant = '" + variant + "'");
    }

    static String sha256(String id) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
    }

    private static Result spectrum(String... args) {
        var env = Map.of("SPECTRUM_DB_URL", db.url(), "SPECTRUM_DB_USER", TestDatabase.user(),
                "SPECTRUM_DB_PASSWORD", TestDatabase.password());
        var out = new StringWriter();
        var err = new StringWriter();
        int status = SpectrumCommand.commandLine(env, new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(status, out.toString(), err.toString());
    }
}
