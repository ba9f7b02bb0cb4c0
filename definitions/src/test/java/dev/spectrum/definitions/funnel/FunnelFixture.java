package dev.spectrum.definitions.funnel;

import dev.spectrum.definitions.apply.ViewStore;
import dev.spectrum.definitions.files.DefinitionFiles;
import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.io.IOException;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Helpers for funnel tests: events at times relative to a base, YAML funnels applied, rows read. */
final class FunnelFixture {

    /** Midnight UTC ten days ago: inside the default 90-day lookback, all on one day. */
    static final OffsetDateTime BASE = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).minusDays(10);

    private final TestDatabase db;

    FunnelFixture(TestDatabase db) {
        this.db = db;
    }

    /** An event of the person at BASE + seconds. */
    RawEvent event(String person, String type, long seconds) {
        return RawEvent.of(type).user(person).at(BASE.plusSeconds(seconds));
    }

    void insert(RawEvent... events) throws SQLException {
        for (RawEvent e : events) {
            e.insertInto(db);
        }
    }

    static FunnelDefinition definition(String yaml) throws IOException {
        return FunnelDefinition.from((dev.spectrum.definitions.v1alpha1.Funnel) DefinitionFiles.parse(yaml).get(0));
    }

    ViewStore.Outcome apply(String yaml) throws IOException, SQLException {
        db.runPipeline();
        return new ViewStore(db.dataSource()).apply(definition(yaml), "{}");
    }

    /** step, persons, conversion_rate, step_conversion_rate, median of one (granularity, period, breakdown). */
    List<List<String>> rows(String view, String granularity, String periodCondition, String breakdown) throws SQLException {
        return db.rows("SELECT step, step_name, persons, conversion_rate, step_conversion_rate, median_seconds_from_previous"
                + " FROM analytics." + view + " WHERE granularity = '" + granularity + "' AND " + periodCondition
                + " AND breakdown = '" + breakdown.replace("'", "''") + "' ORDER BY step");
    }

    List<List<String>> total(String view) throws SQLException {
        return rows(view, "total", "period_start IS NULL", "");
    }
}
