package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Decimal strings of any length are revenue while numeric can hold them, and never stop a load. */
class LongNumbersTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    @Test
    void longDecimalStringsCountAndTooLongOnesAreNoRevenueButLoad() throws SQLException {
        String long2000 = "0." + "0".repeat(2000) + "1";            // 2001 digits after the point: fine for numeric
        String tooLong = "0." + "1".repeat(17000);                   // beyond numeric's 16383: not a number
        var ok = RawEvent.of("purchase").user("n").properties("{\"revenue\": \"" + long2000 + "\"}").insertInto(db);
        var refused = RawEvent.of("purchase").user("n").properties("{\"revenue\": \"" + tooLong + "\"}").insertInto(db);
        db.runPipeline();

        assertThat(db.value("SELECT revenue::text = '" + long2000 + "' FROM warehouse.fact_events WHERE event_id = '"
                + ok.eventId() + "'", Boolean.class)).isTrue();
        assertThat(db.value("SELECT revenue IS NULL FROM warehouse.fact_events WHERE event_id = '"
                + refused.eventId() + "'", Boolean.class)).isTrue();
        assertThat(db.value("SELECT status FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1", String.class))
                .isEqualTo("succeeded");
    }
}
