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
 * data-model.md, mv_lifecycle, on hand-worked weeks. Week n starts on {@code W0 + 7n} (a
 * Monday), the current week is week 10.
 *
 * <pre>
 * A active in weeks 0, 1, 3: new, returning, (dormant in 2), resurrecting, (dormant in 4)
 *   week 0 at Monday 00:00:00Z sharp; week 1 sent as Sunday 23:30 at -01:00 (Monday 00:30 UTC)
 * B active in week 1 only (Tuesday): new, then dormant in week 2
 * </pre>
 */
class LifecycleTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    static final LocalDate W0 = TODAY.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusWeeks(10);

    @BeforeAll
    static void load() throws SQLException {
        RawEvent.of("view").user("A").at(W0 + "T00:00:00Z").insertInto(db);
        RawEvent.of("view").user("A").at(W0.plusDays(6) + "T23:30:00-01:00").insertInto(db);
        RawEvent.of("view").user("A").at(W0.plusDays(21) + "T15:00:00Z").insertInto(db);
        RawEvent.of("view").user("B").at(W0.plusDays(8) + "T15:00:00Z").insertInto(db);
        db.runPipeline();
    }

    @Test
    void weeksGoNewReturningDormantResurrecting() throws SQLException {
        // new, returning, resurrecting, dormant per week 0..10
        long[][] byWeek = {
            {1, 0, 0, 0},   // A new
            {1, 1, 0, 0},   // B new, A returning
            {0, 0, 0, 2},   // A and B dormant
            {0, 0, 1, 0},   // A resurrecting
            {0, 0, 0, 1},   // A dormant
            {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0},
        };
        List<List<String>> expected = new ArrayList<>();
        for (int n = 0; n < byWeek.length; n++) {
            String start = W0.plusWeeks(n).toString();
            expected.add(List.of(start, "dormant", String.valueOf(byWeek[n][3])));
            expected.add(List.of(start, "new", String.valueOf(byWeek[n][0])));
            expected.add(List.of(start, "resurrecting", String.valueOf(byWeek[n][2])));
            expected.add(List.of(start, "returning", String.valueOf(byWeek[n][1])));
        }
        assertThat(db.rows("SELECT period_start, status, persons FROM analytics.mv_lifecycle"
                + " WHERE granularity = 'week' ORDER BY period_start, status")).containsExactlyElementsOf(expected);
    }

    @Test
    void daysFollowTheSameRules() throws SQLException {
        // A active on days W0, W0+7, W0+21; B on W0+8
        assertThat(day(W0)).containsExactly("1", "0", "0", "0");
        assertThat(day(W0.plusDays(1))).containsExactly("0", "0", "0", "1");   // A dormant
        assertThat(day(W0.plusDays(2))).containsExactly("0", "0", "0", "0");
        assertThat(day(W0.plusDays(7))).containsExactly("0", "0", "1", "0");   // A resurrecting
        assertThat(day(W0.plusDays(8))).containsExactly("1", "0", "0", "1");   // B new, A dormant
        assertThat(day(W0.plusDays(9))).containsExactly("0", "0", "0", "1");   // B dormant
        assertThat(day(W0.plusDays(22))).containsExactly("0", "0", "0", "1");  // A dormant
        assertThat(db.count("SELECT count(*) FROM analytics.mv_lifecycle WHERE granularity = 'day'"))
                .isEqualTo(4L * (TODAY.toEpochDay() - W0.toEpochDay() + 1));
        assertThat(db.value("SELECT max(period_start)::text FROM analytics.mv_lifecycle WHERE granularity = 'day'", String.class))
                .isEqualTo(TODAY.toString());
    }

    @Test
    void monthsRunFromTheFirstActiveMonthToTheCurrentOne() throws SQLException {
        LocalDate firstMonth = W0.withDayOfMonth(1);
        LocalDate thisMonth = TODAY.withDayOfMonth(1);
        List<List<String>> months = db.rows("SELECT DISTINCT period_start FROM analytics.mv_lifecycle"
                + " WHERE granularity = 'month' ORDER BY 1");
        assertThat(months.get(0)).containsExactly(firstMonth.toString());
        assertThat(months.get(months.size() - 1)).containsExactly(thisMonth.toString());
        assertThat(db.rows("SELECT status, persons FROM analytics.mv_lifecycle WHERE granularity = 'month'"
                + " AND period_start = '" + firstMonth + "' ORDER BY status"))
                .containsExactly(List.of("dormant", "0"), List.of("new", W0.getMonth() == W0.plusDays(8).getMonth() ? "2" : "1"),
                        List.of("resurrecting", "0"), List.of("returning", "0"));
    }

    @Test
    void newEqualsTheRetentionCohortSize() throws SQLException {
        for (String granularity : List.of("day", "week")) {
            assertThat(db.rows("SELECT l.period_start, l.persons FROM analytics.mv_lifecycle l"
                    + " WHERE l.granularity = '" + granularity + "' AND l.status = 'new' AND l.persons > 0 ORDER BY 1"))
                    .as(granularity)
                    .containsExactlyElementsOf(db.rows("SELECT cohort_start, cohort_size FROM analytics.mv_retention_cohorts"
                            + " WHERE granularity = '" + granularity + "' AND period_number = 0 ORDER BY 1"));
        }
        assertThat(db.count("SELECT count(*) FROM analytics.mv_lifecycle WHERE persons < 0")).isZero();
    }

    /** new, returning, resurrecting, dormant of one day. */
    private static List<String> day(LocalDate day) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String status : List.of("new", "returning", "resurrecting", "dormant")) {
            out.add(db.rows("SELECT persons FROM analytics.mv_lifecycle WHERE granularity = 'day' AND period_start = '"
                    + day + "' AND status = '" + status + "'").get(0).get(0));
        }
        return out;
    }
}
