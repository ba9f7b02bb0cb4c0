package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.Json;
import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Event fields are data: hostile text goes through the pipeline unchanged and runs nothing. */
class HostileStringsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final List<String> HOSTILE = List.of(
            "'; DROP TABLE warehouse.fact_events; --",
            "Robert'); CREATE TABLE public.pwned(x int); --",
            "\"quoted\" \\backslash\\ \\' '' \"\"",
            "$$; CREATE TABLE public.pwned_dollar(x int); $$",
            "$fn$ $proc$ $roles$",
            "%s %I %L %% ${placeholder}",
            "SELECT * FROM staging.raw_events",
            "ünïcødé — 日本語 — 😀🚀 (non-BMP)",
            "line\nbreak\ttab\rreturn",
            "x".repeat(10_000));

    @Test
    void hostileTextComesBackByteForByteAndCreatesNothing() throws SQLException {
        List<String> objectsBefore = objects();
        List<RawEvent> events = new ArrayList<>();
        for (String s : HOSTILE) {
            String json = Json.string(s);
            events.add(RawEvent.of(s).user(s).anon(s + "-anon").account(s).at("2026-04-01T10:00:00Z")
                    .properties("{" + json + ": " + json + ", \"revenue\": " + json + "}")
                    .context("{\"country\": " + json + ", \"region\": " + json + ", \"city\": " + json + "}")
                    .insertInto(db));
        }
        db.runPipeline();

        for (int i = 0; i < HOSTILE.size(); i++) {
            String s = HOSTILE.get(i);
            try (var c = db.connect(); var q = c.prepareStatement(
                    "SELECT event_type, person, account_id, region, city, properties ->> ?, country, revenue"
                            + " FROM warehouse.event_stream WHERE event_id = ?")) {
                q.setString(1, s);
                q.setObject(2, events.get(i).eventId());
                try (var rs = q.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    for (int column = 1; column <= 5; column++) {
                        assertThat(rs.getString(column)).as("column %d of %s", column, s).isEqualTo(s);
                    }
                    assertThat(rs.getString(6)).isEqualTo(s);
                    assertThat(rs.getString(7)).isEqualTo(s.toUpperCase(java.util.Locale.ROOT));
                    assertThat(rs.getString(8)).isNull();
                }
            }
        }
        // the only new objects are the partitions for April 2026 and for this month and the next
        List<String> created = new ArrayList<>(objects());
        created.removeAll(objectsBefore);
        assertThat(created).allMatch(name -> name.startsWith("warehouse.fact_events_y"));
        assertThat(db.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'pwned%'")).isZero();
    }

    private static List<String> objects() throws SQLException {
        List<String> names = new ArrayList<>();
        for (List<String> row : db.rows("SELECT n.nspname || '.' || c.relname FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'"
                + " AND n.nspname NOT LIKE 'pg_toast_temp%' ORDER BY 1")) {
            names.add(row.get(0));
        }
        return names;
    }
}
