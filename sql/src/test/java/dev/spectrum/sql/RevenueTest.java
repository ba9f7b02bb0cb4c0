package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** semantics.md, Revenue: JSON numbers and plain decimal strings; refunds negative. */
class RevenueTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    @BeforeAll
    static void load() throws SQLException {
        purchase("p1", "acct-a", "2026-03-10T09:00:00Z", "10");          // number
        purchase("p2", "acct-a", "2026-03-10T10:00:00Z", "\"5.50\"");    // numeric string
        purchase("p3", "acct-b", "2026-03-10T11:00:00Z", "\"abc\"");     // not a number: no revenue
        purchase("p3", "acct-b", "2026-03-10T12:00:00Z", "-3");          // refund
        purchase("p4", null, "2026-03-10T13:00:00Z", "\"+2.\"");         // no account; "+2." is 2
        purchase("p5", "acct-c", "2026-03-10T14:00:00Z", "true");        // boolean: no revenue
        purchase("p5", "acct-c", "2026-03-10T15:00:00Z", "\"1e3\"");     // not a plain decimal
        purchase("p5", "acct-c", "2026-03-10T16:00:00Z", "\" 7\"");      // leading space: no
        purchase("p5", "acct-c", "2026-03-10T17:00:00Z", "null");        // JSON null: no
        purchase("p5", "acct-c", "2026-03-10T18:00:00Z", "{\"amount\": 5}");
        purchase("p1", "acct-a", "2026-03-11T09:00:00Z", "\".5\"");      // 0.5
        purchase("p6", "acct-d", "2026-03-12T09:00:00Z", "\"12abc\"");   // a day without revenue: no row
        RawEvent.of("page").user("p6").at("2026-03-13T09:00:00Z").insertInto(db); // no revenue property
        db.runPipeline();
    }

    @Test
    void revenueIsExtractedPerEvent() throws SQLException {
        assertThat(db.rows("SELECT person, revenue FROM warehouse.event_stream ORDER BY occurred_at"))
                .containsExactly(
                        List.of("p1", "10"), List.of("p2", "5.50"), Arrays.asList("p3", null), List.of("p3", "-3"),
                        List.of("p4", "2"), Arrays.asList("p5", null), Arrays.asList("p5", null),
                        Arrays.asList("p5", null), Arrays.asList("p5", null), Arrays.asList("p5", null),
                        List.of("p1", "0.5"), Arrays.asList("p6", null), Arrays.asList("p6", null));
    }

    @Test
    void dailyRowsOverAllAccountsAndPerAccount() throws SQLException {
        // 2026-03-10: 10 + 5.50 - 3 + 2 = 14.50 from 4 orders by p1..p4; accounts a and b pay
        // (p4 has none); arppu 14.50 / 4 = 3.625. acct-a: 15.50 by 2 persons; acct-b: the refund.
        // 2026-03-11: 0.5 by p1 of acct-a. 2026-03-12 and 13: no revenue, no rows.
        assertThat(summary("day")).containsExactly(
                List.of("2026-03-10", "", "14.50", "4", "4", "2", "3.625"),
                List.of("2026-03-10", "acct-a", "15.50", "2", "2", "1", "7.75"),
                List.of("2026-03-10", "acct-b", "-3", "1", "1", "1", "-3"),
                List.of("2026-03-11", "", "0.5", "1", "1", "1", "0.5"),
                List.of("2026-03-11", "acct-a", "0.5", "1", "1", "1", "0.5"));
    }

    @Test
    void monthlyRows() throws SQLException {
        // March: 14.50 + 0.5 = 15.00 from 5 orders by p1..p4 (p1 twice); arppu 15 / 4 = 3.75
        assertThat(summary("month")).containsExactly(
                List.of("2026-03-01", "", "15.00", "5", "4", "2", "3.75"),
                List.of("2026-03-01", "acct-a", "16.00", "3", "2", "1", "8"),
                List.of("2026-03-01", "acct-b", "-3", "1", "1", "1", "-3"));
    }

    /** Rows of one granularity with numbers normalised (trailing zeros of arppu's scale dropped). */
    private static List<List<String>> summary(String granularity) throws SQLException {
        return db.rows("SELECT period_start, account_id, revenue, orders, paying_persons, paying_accounts,"
                + " trim_scale(arppu) FROM analytics.mv_revenue_summary WHERE granularity = '" + granularity + "'"
                + " ORDER BY period_start, account_id");
    }

    private static void purchase(String person, String account, String at, String revenueJson) throws SQLException {
        RawEvent.of("purchase").user(person).account(account).at(at)
                .properties("{\"revenue\": " + revenueJson + "}").insertInto(db);
    }
}
