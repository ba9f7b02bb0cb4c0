package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * V16's analytics.mv_revenue_summary (one sort, marks, GROUPING SETS) against V4's definition,
 * kept here as the oracle (count(DISTINCT) per group, the plain reading of docs/data-model.md),
 * over generated data: refunds, zero revenue, revenue that is not a number, persons without an
 * account, persons with two accounts on the same day and in the same month, anonymous persons
 * linked to users later, and about 100 days over four calendar months.
 */
class RevenueScaleTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    /** V4__analytics.sql's SELECT of analytics.mv_revenue_summary, word for word. */
    static final String V4_ORACLE = """
            WITH revenue_events AS (
                SELECT e.person, e.account_id, e.revenue, (e.occurred_at AT TIME ZONE 'UTC')::date AS day
                FROM warehouse.event_stream e
                WHERE e.revenue IS NOT NULL
            ), by_period AS (
                SELECT 'day' AS granularity, day AS period_start, person, account_id, revenue FROM revenue_events
                UNION ALL
                SELECT 'month', date_trunc('month', day)::date, person, account_id, revenue FROM revenue_events
            ), summary AS (
                SELECT granularity, period_start, '' AS account_id,
                       sum(revenue) AS revenue, count(*) AS orders,
                       count(DISTINCT person) AS paying_persons, count(DISTINCT account_id) AS paying_accounts
                FROM by_period
                GROUP BY granularity, period_start
                UNION ALL
                SELECT granularity, period_start, account_id,
                       sum(revenue), count(*), count(DISTINCT person), 1
                FROM by_period
                WHERE account_id IS NOT NULL
                GROUP BY granularity, period_start, account_id
            )
            SELECT granularity, period_start, account_id, revenue, orders, paying_persons, paying_accounts,
                   revenue / paying_persons AS arppu
            FROM summary""";

    static final String COLUMNS = "granularity, period_start, account_id, revenue::text, orders, paying_persons,"
            + " paying_accounts, arppu::text";

    @BeforeAll
    static void load() throws SQLException {
        // 6,000 events of 300 persons over 100 days from 2026-01-20 (January to April). About a
        // third are purchases; 10% of persons have no account, 20% switch between two accounts
        // (sometimes within a day); a quarter start anonymous and identify later.
        db.execute("SELECT setseed(0.17)", """
                INSERT INTO staging.raw_events (event_id, event_type, account_id, user_id, anonymous_id,
                                                occurred_at, received_at, properties, context, source)
                SELECT gen_random_uuid(), s.event_type,
                       CASE WHEN s.person % 10 = 0 THEN NULL
                            WHEN s.person % 5 = 1 AND s.r_acct < 0.5 THEN 'acct-b' || (s.person % 7)
                            ELSE 'acct-' || (s.person % 13) END,
                       CASE WHEN s.person % 4 = 0 AND s.i < 3000 AND s.event_type <> 'identify' THEN NULL
                            ELSE 'user-' || s.person END,
                       CASE WHEN s.person % 4 = 0 THEN 'anon-' || s.person END,
                       s.occurred_at, s.occurred_at + interval '1 second',
                       jsonb_strip_nulls(jsonb_build_object('revenue',
                           CASE WHEN s.event_type = 'purchase' AND s.r_val < 0.10 THEN to_jsonb(-round((s.r_val * 300)::numeric, 2))
                                WHEN s.event_type = 'purchase' AND s.r_val < 0.15 THEN to_jsonb('n/a'::text)
                                WHEN s.event_type = 'purchase' AND s.r_val < 0.20 THEN to_jsonb(0)
                                WHEN s.event_type = 'purchase' AND s.r_val < 0.60 THEN to_jsonb(round((s.r_val * 100)::numeric, 2)::text)
                                WHEN s.event_type = 'purchase' THEN to_jsonb(round((s.r_val * 100)::numeric, 3))
                                WHEN s.r_val < 0.05 THEN to_jsonb(1) END)),
                       '{}'::jsonb, 'test'
                FROM (
                    SELECT g AS i, 1 + (random() * 299)::int AS person, random() AS r_acct, random() AS r_val,
                           CASE WHEN g % 40 = 0 THEN 'identify' WHEN random() < 0.35 THEN 'purchase' ELSE 'page' END AS event_type,
                           timestamptz '2026-01-20 00:00:00+00' + random() * interval '100 days' AS occurred_at
                    FROM generate_series(1, 6000) AS g
                ) s""");
        db.runPipeline();
    }

    @Test
    void theDataCoversTheCases() throws SQLException {
        assertThat(db.count("SELECT count(*) FROM warehouse.event_stream WHERE revenue < 0")).isGreaterThan(50);
        assertThat(db.count("SELECT count(*) FROM warehouse.event_stream WHERE revenue = 0")).isGreaterThan(50);
        assertThat(db.count("SELECT count(*) FROM warehouse.event_stream WHERE revenue IS NOT NULL AND account_id IS NULL"))
                .isGreaterThan(50);
        assertThat(db.count("SELECT count(DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC')) FROM warehouse.event_stream"))
                .isEqualTo(4);
        // persons who paid under two accounts on one day, and in one month
        assertThat(db.count("""
                SELECT count(*) FROM (SELECT person FROM warehouse.event_stream WHERE revenue IS NOT NULL
                                      GROUP BY person, (occurred_at AT TIME ZONE 'UTC')::date
                                      HAVING count(DISTINCT account_id) > 1) p""")).isGreaterThan(5);
        assertThat(db.count("""
                SELECT count(*) FROM (SELECT person FROM warehouse.event_stream WHERE revenue IS NOT NULL
                                      GROUP BY person, date_trunc('month', occurred_at AT TIME ZONE 'UTC')
                                      HAVING count(DISTINCT account_id) > 1) p""")).isGreaterThan(20);
        // anonymous events resolved to their user
        assertThat(db.count("""
                SELECT count(*) FROM warehouse.fact_events f JOIN warehouse.dim_users u USING (user_key)
                WHERE u.id_kind = 'anonymous' AND u.person_id LIKE 'user-%' AND f.revenue IS NOT NULL""")).isGreaterThan(50);
    }

    @Test
    void sameRowsAsTheV4Definition() throws SQLException {
        List<List<String>> expected = db.rows("SELECT " + COLUMNS + " FROM (" + V4_ORACLE + ") v ORDER BY 1, 2, 3");
        List<List<String>> actual = db.rows("SELECT " + COLUMNS + " FROM analytics.mv_revenue_summary ORDER BY 1, 2, 3");
        assertThat(expected).hasSizeGreaterThan(1000);
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    @Test
    void sameRowsAfterARefreshWithMoreEvents() throws SQLException {
        // a refund and a purchase under a second account for a person who already paid that day
        db.execute("""
                INSERT INTO staging.raw_events (event_id, event_type, account_id, user_id, occurred_at, received_at,
                                                properties, context, source)
                VALUES (gen_random_uuid(), 'purchase', 'acct-new', 'user-7', '2026-02-03 10:00+00', now(),
                        '{"revenue": -12.5}', '{}', 'test'),
                       (gen_random_uuid(), 'purchase', NULL, 'user-7', '2026-02-03 11:00+00', now(),
                        '{"revenue": "4.25"}', '{}', 'test')""");
        db.runPipeline();
        List<List<String>> expected = db.rows("SELECT " + COLUMNS + " FROM (" + V4_ORACLE + ") v ORDER BY 1, 2, 3");
        assertThat(db.rows("SELECT " + COLUMNS + " FROM analytics.mv_revenue_summary ORDER BY 1, 2, 3"))
                .containsExactlyElementsOf(expected);
        assertThat(db.rows("SELECT orders, paying_accounts FROM analytics.mv_revenue_summary"
                + " WHERE granularity = 'day' AND period_start = '2026-02-03' AND account_id = 'acct-new'"))
                .containsExactly(List.of("1", "1"));
    }

    @Test
    void refreshesRunWithoutJit() throws SQLException {
        assertThat(db.rows("SELECT unnest(proconfig) FROM pg_proc WHERE oid = 'warehouse.refresh_view(text)'::regprocedure"))
                .contains(List.of("jit=off"));
    }

    @Test
    void sameColumnsAsTheV4Definition() throws SQLException {
        db.execute("CREATE TABLE revenue_oracle AS " + V4_ORACLE + " WITH NO DATA");
        String columns = "SELECT attnum, attname, format_type(atttypid, atttypmod), attcollation FROM pg_attribute"
                + " WHERE attnum > 0 AND attrelid = '%s'::regclass ORDER BY attnum";
        assertThat(db.rows(columns.formatted("analytics.mv_revenue_summary")))
                .containsExactlyElementsOf(db.rows(columns.formatted("revenue_oracle")));
    }
}
