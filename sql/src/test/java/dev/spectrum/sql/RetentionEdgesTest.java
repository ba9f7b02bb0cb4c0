package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.RawEvent;
import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * semantics.md, Retention, at the edges the V10 definition computes differently from a plain
 * join (first day by a window, weeks by their first active day, grid and counts by grouping):
 * a person whose first events were anonymous, events dated in the future, several active days
 * in one week, a Sunday followed by a Monday. Numbers worked out by hand below.
 */
class RetentionEdgesTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    /** A Monday twenty weeks ago: every one of its 31 days and 13 weeks has begun. */
    static final LocalDate WEEK = TODAY.minusWeeks(20).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));

    @BeforeAll
    static void load() throws SQLException {
        // K: anonymous on day -5, identifies on day -3 (both ids), as a user on day -1: one
        // person K whose cohort is day -5, active on its days 0, 2 and 4.
        RawEvent.of("visit").anon("anon-k").at(TODAY.minusDays(5) + "T08:00:00Z").insertInto(db);
        RawEvent.of("identify").user("K").anon("anon-k").at(TODAY.minusDays(3) + "T08:00:00Z").insertInto(db);
        RawEvent.of("visit").user("K").at(TODAY.minusDays(1) + "T08:00:00Z").insertInto(db);
        // L: day -2 and an event dated two days ahead: periods 0..2 have begun, only 0 retained.
        RawEvent.of("visit").user("L").at(TODAY.minusDays(2) + "T08:00:00Z").insertInto(db);
        RawEvent.of("visit").user("L").at(TODAY.plusDays(2) + "T08:00:00Z").insertInto(db);
        // M: only in the future: a cohort that has not begun has no rows.
        RawEvent.of("visit").user("M").at(TODAY.plusDays(1) + "T08:00:00Z").insertInto(db);
        // N: Monday, Wednesday, Sunday of week WEEK (twice on the Wednesday), Monday of the next
        // week. P: Sunday of week WEEK, then the next Monday (one day later, the next week).
        event("N", WEEK, "09:00");
        event("N", WEEK.plusDays(2), "09:00");
        event("N", WEEK.plusDays(2), "17:00");
        event("N", WEEK.plusDays(6), "23:59");
        event("N", WEEK.plusDays(7), "00:00");
        event("P", WEEK.plusDays(6), "12:00");
        event("P", WEEK.plusDays(7), "12:00");
        db.runPipeline();
    }

    @Test
    void aPersonsAnonymousFirstEventsSetTheirCohort() throws SQLException {
        assertThat(grid("day", TODAY.minusDays(5))).containsExactly(
                row(0, 1, 1), row(1, 1, 0), row(2, 1, 1), row(3, 1, 0), row(4, 1, 1), row(5, 1, 0));
        assertThat(grid("day", TODAY.minusDays(3))).isEmpty();   // the identify day is no cohort of its own
    }

    @Test
    void eventsInTheFutureAddNoPeriodThatHasNotBegun() throws SQLException {
        assertThat(grid("day", TODAY.minusDays(2))).containsExactly(row(0, 1, 1), row(1, 1, 0), row(2, 1, 0));
        assertThat(grid("day", TODAY.plusDays(1))).isEmpty();
        assertThat(db.rows("SELECT count(*) FROM analytics.mv_retention_cohorts WHERE cohort_start > '" + TODAY + "'"))
                .containsExactly(List.of("0"));
    }

    @Test
    void aWeekCountsAPersonOnceHoweverManyDaysTheyWereActiveInIt() throws SQLException {
        // week cohort WEEK: N and P (P's first day is WEEK's Sunday); both active in weeks 0 and 1
        List<List<String>> expected = new ArrayList<>();
        for (int n = 0; n <= 12; n++) {
            expected.add(row(n, 2, n <= 1 ? 2 : 0));
        }
        assertThat(grid("week", WEEK)).containsExactlyElementsOf(expected);
    }

    @Test
    void dayCohortsOfTheSamePersonsFollowTheirFirstDay() throws SQLException {
        // N's day cohort WEEK: active on days 0, 2, 6, 7 of 0..30; P's day cohort WEEK + 6: days 0, 1
        List<List<String>> n = new ArrayList<>();
        for (int d = 0; d <= 30; d++) {
            n.add(row(d, 1, d == 0 || d == 2 || d == 6 || d == 7 ? 1 : 0));
        }
        assertThat(grid("day", WEEK)).containsExactlyElementsOf(n);
        List<List<String>> p = new ArrayList<>();
        for (int d = 0; d <= 30; d++) {
            p.add(row(d, 1, d <= 1 ? 1 : 0));
        }
        assertThat(grid("day", WEEK.plusDays(6))).containsExactlyElementsOf(p);
    }

    private static List<List<String>> grid(String granularity, LocalDate cohort) throws SQLException {
        return db.rows("SELECT period_number, cohort_size, retained, retention_rate FROM analytics.mv_retention_cohorts"
                + " WHERE granularity = '" + granularity + "' AND cohort_start = '" + cohort + "' ORDER BY period_number");
    }

    private static List<String> row(int period, int size, int retained) {
        String rate = retained == size ? "1" : retained == 0 ? "0" : String.valueOf((double) retained / size);
        return List.of(String.valueOf(period), String.valueOf(size), String.valueOf(retained), rate);
    }

    private static void event(String person, LocalDate day, String time) throws SQLException {
        RawEvent.of("active").user(person).at(day + "T" + time + ":00Z").insertInto(db);
    }
}
