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
 * semantics.md, Retention, on hand-built cohorts. Dates are relative to today (UTC) because
 * only periods that have begun appear.
 */
class RetentionTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    static final LocalDate DAY_COHORT = TODAY.minusDays(3);
    /** A Monday long enough ago that all 13 weekly periods have begun. */
    static final LocalDate WEEK_COHORT = TODAY.minusWeeks(20).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));

    @BeforeAll
    static void load() throws SQLException {
        // Day cohort DAY_COHORT: A active on days 0, 1, 3; B on days 0, 2; C on day 0 only.
        event("A", DAY_COHORT, "09:00");
        event("A", DAY_COHORT, "23:59");
        event("A", DAY_COHORT.plusDays(1), "00:00");
        event("A", DAY_COHORT.plusDays(3), "08:00");
        event("B", DAY_COHORT, "12:00");
        event("B", DAY_COHORT.plusDays(2), "12:00");
        event("C", DAY_COHORT, "18:00");
        // Week cohort WEEK_COHORT: F on Monday of weeks 0, 1, 2; G on Wednesday of week 0, then in
        // weeks 3 and 12 and 13 (week 13 is past the grid).
        event("F", WEEK_COHORT, "10:00");
        event("F", WEEK_COHORT.plusDays(8), "10:00");
        event("F", WEEK_COHORT.plusDays(15), "10:00");
        event("G", WEEK_COHORT.plusDays(2), "10:00");
        event("G", WEEK_COHORT.plusDays(21), "10:00");
        event("G", WEEK_COHORT.plusDays(90), "10:00");
        event("G", WEEK_COHORT.plusDays(95), "10:00");
        // H starts today: only period 0 has begun, in both grids.
        event("H", TODAY, "00:00");
        db.runPipeline();
    }

    @Test
    void dayGridCountsRetainedPersonsForEveryBegunPeriod() throws SQLException {
        // periods 0..3 have begun (today is day 3); day 0: A, B, C; day 1: A; day 2: B; day 3: A
        assertThat(grid("day", DAY_COHORT)).containsExactly(
                row(0, 3, 3, "1"),
                row(1, 3, 1, "0.3333333333333333"),
                row(2, 3, 1, "0.3333333333333333"),
                row(3, 3, 1, "0.3333333333333333"));
    }

    @Test
    void weekGridHasThirteenPeriodsWithZerosKept() throws SQLException {
        List<List<String>> expected = new ArrayList<>();
        int[] retained = {2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1};   // F: 0,1,2  G: 0,3,12
        for (int n = 0; n <= 12; n++) {
            expected.add(row(n, 2, retained[n], retained[n] == 2 ? "1" : retained[n] == 1 ? "0.5" : "0"));
        }
        assertThat(grid("week", WEEK_COHORT)).containsExactlyElementsOf(expected);
    }

    @Test
    void aCohortThatStartedTodayHasOnlyPeriodZero() throws SQLException {
        assertThat(grid("day", TODAY)).containsExactly(row(0, 1, 1, "1"));
        LocalDate thisMonday = TODAY.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        assertThat(db.rows("SELECT period_number FROM analytics.mv_retention_cohorts"
                + " WHERE granularity = 'week' AND cohort_start = '" + thisMonday + "'"))
                .containsExactly(List.of("0"));
    }

    private static List<List<String>> grid(String granularity, LocalDate cohort) throws SQLException {
        return db.rows("SELECT period_number, cohort_size, retained, retention_rate FROM analytics.mv_retention_cohorts"
                + " WHERE granularity = '" + granularity + "' AND cohort_start = '" + cohort + "' ORDER BY period_number");
    }

    private static List<String> row(int period, int size, int retained, String rate) {
        return List.of(String.valueOf(period), String.valueOf(size), String.valueOf(retained), rate);
    }

    private static void event(String person, LocalDate day, String time) throws SQLException {
        RawEvent.of("active").user(person).at(day + "T" + time + ":00Z").insertInto(db);
    }
}
