package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** semantics.md, Deduplication: the copy that arrived first (lowest staging id) wins. */
class DeduplicationTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    @Test
    void sameEventIdTwiceInOneRunLoadsTheFirstCopyOnly() throws SQLException {
        String id = "10000000-0000-0000-0000-000000000001";
        RawEvent.of("signup").id(id).user("dedup-1").at("2026-02-01T10:00:00Z")
                .properties("{\"plan\": \"free\"}").insertInto(db);
        // same event_id, every field different: a later copy changes nothing
        RawEvent.of("purchase").id(id).user("dedup-1-other").at("2024-07-01T10:00:00Z")
                .properties("{\"plan\": \"pro\", \"revenue\": 99}").insertInto(db);
        RawEvent.of("page").user("dedup-1").at("2026-02-01T10:01:00Z").insertInto(db);
        db.runPipeline();

        assertThat(db.rows("SELECT event_type, person, occurred_at, properties::text, revenue"
                + " FROM warehouse.event_stream WHERE event_id = '" + id + "'"))
                .containsExactly(Arrays.asList("signup", "dedup-1", "2026-02-01 10:00:00+00", "{\"plan\": \"free\"}", null));
        assertThat(latestRun()).containsExactly("2", "1", "succeeded");
        // the duplicate's month got no partition: duplicates leave no trace
        assertThat(db.value("SELECT to_regclass('warehouse.fact_events_y2024m07') IS NULL", Boolean.class)).isTrue();
        assertThat(db.count("SELECT count(*) FROM warehouse.dim_users WHERE distinct_id = 'dedup-1-other'")).isZero();
    }

    @Test
    void aCopyArrivingInALaterRunIsCountedAsDuplicateAndChangesNothing() throws SQLException {
        String id = "10000000-0000-0000-0000-000000000002";
        RawEvent.of("signup").id(id).user("dedup-2").at("2026-02-02T10:00:00Z").insertInto(db);
        db.runPipeline();
        assertThat(latestRun()).containsExactly("1", "0", "succeeded");

        RawEvent.of("signup").id(id).user("dedup-2").at("2026-02-02T10:00:00Z").insertInto(db);
        RawEvent.of("signup").id(id).user("dedup-2").at("2026-02-03T11:00:00Z")
                .properties("{\"retry\": true}").insertInto(db);
        db.runPipeline();

        assertThat(latestRun()).containsExactly("0", "2", "succeeded");
        assertThat(db.rows("SELECT occurred_at, properties::text FROM warehouse.fact_events WHERE event_id = '" + id + "'"))
                .containsExactly(List.of("2026-02-02 10:00:00+00", "{}"));
        assertThat(db.count("SELECT count(*) FROM warehouse.loaded_events WHERE event_id = '" + id + "'")).isEqualTo(1);
    }

    @Test
    void aDuplicateCarryingBothIdsCreatesNoIdentityLink() throws SQLException {
        String id = "10000000-0000-0000-0000-000000000003";
        var anonymous = RawEvent.of("page").anon("dedup-anon-3").at("2026-02-03T09:00:00Z").insertInto(db);
        RawEvent.of("page").id(id).anon("dedup-anon-3b").at("2026-02-03T09:30:00Z").insertInto(db);
        RawEvent.of("login").id(id).user("dedup-3").anon("dedup-anon-3").at("2026-02-03T10:00:00Z").insertInto(db);
        db.runPipeline();

        assertThat(db.count("SELECT count(*) FROM warehouse.identity_links WHERE user_id = 'dedup-3'")).isZero();
        assertThat(db.value("SELECT person FROM warehouse.event_stream WHERE event_id = '" + anonymous.eventId() + "'",
                String.class)).isEqualTo("dedup-anon-3");
    }

    /** events_loaded, duplicates_skipped, status of the latest run. */
    private static List<String> latestRun() throws SQLException {
        return db.rows("SELECT events_loaded, duplicates_skipped, status FROM analytics.pipeline_runs"
                + " ORDER BY run_id DESC LIMIT 1").get(0);
    }
}
