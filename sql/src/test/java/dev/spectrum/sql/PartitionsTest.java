package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** fact_events is partitioned by month; the pipeline makes the partitions it needs. */
class PartitionsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    private static final DateTimeFormatter PARTITION = DateTimeFormatter.ofPattern("'fact_events_y'yyyy'm'MM");

    @Test
    void eventsFromThreeYearsAgoAndFromNextMonthLoadWithoutManualWork() throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime threeYearsAgo = now.minusYears(3).withDayOfMonth(15);
        OffsetDateTime nextMonth = now.plusMonths(1).withDayOfMonth(2);
        var old = RawEvent.of("old").user("p").at(threeYearsAgo).insertInto(db);
        var future = RawEvent.of("future").user("p").at(nextMonth).insertInto(db);
        db.runPipeline();

        assertThat(partitionOf(old)).isEqualTo("warehouse." + PARTITION.format(threeYearsAgo));
        assertThat(partitionOf(future)).isEqualTo("warehouse." + PARTITION.format(nextMonth));
        // ahead of need: this month and the next exist after any run
        assertThat(db.value("SELECT to_regclass('warehouse." + PARTITION.format(now) + "') IS NOT NULL", Boolean.class))
                .isTrue();
    }

    @Test
    void monthBoundariesAreUtc() throws SQLException {
        var lastInstantOfFebruary = RawEvent.of("b").user("q").at("2024-02-29T23:59:59.999999Z").insertInto(db);
        var firstOfMarch = RawEvent.of("b").user("q").at("2024-03-01T00:00:00Z").insertInto(db);
        // 00:30 in +01:00 is 23:30 UTC on the 29th: February
        var offsetTime = RawEvent.of("b").user("q").at("2024-03-01T00:30:00+01:00").insertInto(db);
        var longAgo = RawEvent.of("b").user("q").at("1999-12-31T23:59:59Z").insertInto(db);
        db.runPipeline();

        assertThat(List.of(partitionOf(lastInstantOfFebruary), partitionOf(firstOfMarch), partitionOf(offsetTime),
                partitionOf(longAgo))).containsExactly(
                "warehouse.fact_events_y2024m02", "warehouse.fact_events_y2024m03",
                "warehouse.fact_events_y2024m02", "warehouse.fact_events_y1999m12");
        assertThat(db.rows("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'warehouse.fact_events_y2024m02'::regclass"))
                .containsExactly(List.of("FOR VALUES FROM ('2024-02-01 00:00:00+00') TO ('2024-03-01 00:00:00+00')"));
    }

    private static String partitionOf(RawEvent event) throws SQLException {
        return db.value("SELECT tableoid::regclass::text FROM warehouse.fact_events WHERE event_id = '"
                + event.eventId() + "'", String.class);
    }
}
