package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * data-model.md, mv_active_persons and mv_daily_activity, on hand-worked days. Day k is
 * {@code FIRST + (k - 1)}; the last day is today (UTC), 41.
 *
 * <pre>
 * P active on days 1, 2, 9 (day 2's event at 00:00:00Z sharp, day 1 also at 23:59:59Z and
 *   as an anonymous id that P identifies on day 9)
 * Q active on day 6 only (sent as 23:30 at -01:00 on day 5: 00:30 UTC on day 6), and tomorrow
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActivePersonsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    static final LocalDate FIRST = TODAY.minusDays(40);

    @BeforeAll
    static void load() throws SQLException {
        RawEvent.of("signup").user("P").at(day(1) + "T10:00:00Z").insertInto(db);
        RawEvent.of("view").anon("anon-P").at(day(1) + "T12:00:00Z").insertInto(db);
        RawEvent.of("view").user("P").at(day(1) + "T23:59:59.999Z").insertInto(db);
        RawEvent.of("view").user("P").at(day(2) + "T00:00:00Z").insertInto(db);
        RawEvent.of("identify").user("P").anon("anon-P").at(day(9) + "T08:00:00Z").insertInto(db);
        RawEvent.of("view").user("Q").at(day(5) + "T23:30:00-01:00").insertInto(db);
        RawEvent.of("view").user("Q").at(TODAY.plusDays(1) + "T09:00:00Z").insertInto(db);
        db.runPipeline();
    }

    @Test
    void dauWauMauOnEveryDayWorkedOutByHand() throws SQLException {
        // k: dau wau mau. P's 7-day windows cover days 1..8 (from days 1, 2) and 9..15 (day 9);
        // Q's 6..12. P's 30-day windows cover 1..38, Q's 6..35.
        long[][] expected = new long[42][];
        for (int k = 1; k <= 41; k++) {
            long dau = (k == 1 || k == 2 || k == 6 || k == 9) ? 1 : 0;
            long wau = (k <= 15 ? 1 : 0) + (k >= 6 && k <= 12 ? 1 : 0);
            long mau = (k <= 38 ? 1 : 0) + (k >= 6 && k <= 35 ? 1 : 0);
            expected[k] = new long[] {dau, wau, mau};
        }
        // spot checks of the table above, written out
        assertThat(expected[5]).containsExactly(0, 1, 1);
        assertThat(expected[6]).containsExactly(1, 2, 2);
        assertThat(expected[13]).containsExactly(0, 1, 2);
        assertThat(expected[16]).containsExactly(0, 0, 2);
        assertThat(expected[36]).containsExactly(0, 0, 1);
        assertThat(expected[39]).containsExactly(0, 0, 0);

        List<List<String>> rows = db.rows("SELECT day, dau, wau, mau FROM analytics.mv_active_persons ORDER BY day");
        assertThat(rows).hasSize(41);
        for (int k = 1; k <= 41; k++) {
            assertThat(rows.get(k - 1)).as("day %d", k).containsExactly(day(k).toString(),
                    String.valueOf(expected[k][0]), String.valueOf(expected[k][1]), String.valueOf(expected[k][2]));
        }
    }

    @Test
    void eventsAfterTodayWaitForTheirDay() throws SQLException {
        assertThat(db.value("SELECT max(day)::text FROM analytics.mv_active_persons", String.class)).isEqualTo(TODAY.toString());
        assertThat(db.rows("SELECT dau, wau, mau FROM analytics.mv_active_persons WHERE day = current_date"))
                .containsExactly(List.of("0", "0", "0"));
    }

    @Test
    void dailyActivityCountsEventsAndDistinctPersonsPerUtcDay() throws SQLException {
        assertThat(db.rows("SELECT day, event_type, events, persons FROM analytics.mv_daily_activity ORDER BY day, event_type"))
                .containsExactly(
                        List.of(day(1).toString(), "signup", "1", "1"),
                        List.of(day(1).toString(), "view", "2", "1"),      // anon-P is P (identified on day 9)
                        List.of(day(2).toString(), "view", "1", "1"),
                        List.of(day(6).toString(), "view", "1", "1"),
                        List.of(day(9).toString(), "identify", "1", "1"),
                        List.of(TODAY.plusDays(1).toString(), "view", "1", "1"));
    }

    @Test
    @Order(Integer.MAX_VALUE)   // adds events: runs after the tests of the hand-worked days
    void thePipelineRefreshesTheDashboardViews() throws SQLException {
        RawEvent.of("view").user("R").at(TODAY + "T00:00:01Z").insertInto(db);
        db.runPipeline();
        assertThat(db.rows("SELECT dau, wau, mau FROM analytics.mv_active_persons WHERE day = current_date"))
                .containsExactly(List.of("1", "1", "1"));
        assertThat(db.rows("SELECT DISTINCT view_name FROM analytics.view_refreshes ORDER BY 1")).contains(
                List.of("analytics.mv_active_persons"), List.of("analytics.mv_daily_activity"),
                List.of("analytics.mv_lifecycle"), List.of("analytics.mv_session_days"),
                List.of("analytics.mv_session_event_types"));
        RawEvent.of("view").user("R").at(TODAY + "T00:00:02Z").id("00000000-0000-4000-8000-00000000000a").insertInto(db);
        db.runPipeline();
        assertThat(db.rows("SELECT events, persons FROM analytics.mv_daily_activity WHERE day = current_date AND event_type = 'view'"))
                .containsExactly(List.of("2", "1"));
    }

    @Test
    void theReaderRoleCanReadThemAll() throws SQLException {
        String login = TestDatabase.createLogin("spectrum_reader");
        try (var c = java.sql.DriverManager.getConnection(db.url(), login, ""); var st = c.createStatement()) {
            for (String view : List.of("mv_daily_activity", "mv_active_persons", "mv_lifecycle", "mv_session_days",
                    "mv_session_event_types")) {
                try (var rs = st.executeQuery("SELECT count(*) FROM analytics." + view)) {
                    rs.next();
                    assertThat(rs.getLong(1)).as(view).isPositive();
                }
            }
        } finally {
            TestDatabase.dropLogin(login);
        }
    }

    private static LocalDate day(int k) {
        return FIRST.plusDays(k - 1);
    }
}
