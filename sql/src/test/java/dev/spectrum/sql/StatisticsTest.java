package dev.spectrum.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spectrum.sql.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SQL statistics functions (V7__statistics.sql) against reference values computed
 * independently (sql/src/test/python/statistics_reference.py: SciPy, and mpmath at 50 digits for
 * the t quantiles). Tolerance: 1e-9 absolute (scaled by the value when it is above 1 in
 * magnitude, as for large quantiles), and 1e-6 relative for values below 1e-6.
 */
class StatisticsTest {

    @RegisterExtension
    static final TestDatabase db = TestDatabase.migrated();

    record Row(String function, double a, Double b, double expected) {
    }

    @Test
    void everyReferenceValueIsMatched() throws Exception {
        List<Row> rows = reference();
        assertThat(rows).hasSizeGreaterThan(300);
        List<String> misses = new ArrayList<>();
        double worst = 0;
        try (Connection c = db.connect()) {
            for (Row row : rows) {
                String sql = "SELECT warehouse." + row.function() + "(?" + (row.b() == null ? "" : ", ?") + ")";
                try (var q = c.prepareStatement(sql)) {
                    q.setDouble(1, row.a());
                    if (row.b() != null) {
                        q.setDouble(2, row.b());
                    }
                    try (var rs = q.executeQuery()) {
                        rs.next();
                        double actual = rs.getDouble(1);
                        double error = Math.abs(actual - row.expected());
                        boolean ok = row.expected() != 0 && Math.abs(row.expected()) < 1e-6
                                ? error <= 1e-6 * Math.abs(row.expected())
                                : error <= 1e-9 * Math.max(1, Math.abs(row.expected()));
                        worst = Math.max(worst, error / Math.max(1, Math.abs(row.expected())));
                        if (!ok) {
                            misses.add(row + " got " + actual);
                        }
                    }
                }
            }
        }
        System.out.printf("statistics: %d reference values, worst scaled error %.3g%n", rows.size(), worst);
        assertThat(misses).as("rows outside the tolerance (worst scaled error %s)", worst).isEmpty();
    }

    @Test
    void pValuesFarBelowDoublePrecisionOfOneKeepTheirDigits() throws Exception {
        // the two-sided p-value is computed directly, not as 1 - cdf: t = 40 with 10 df gives about 2.4e-12
        double p = db.value("SELECT warehouse.t_two_sided_p(40, 10)", Double.class);
        assertThat(p).isBetween(1e-13, 1e-11);
        assertThat(db.value("SELECT warehouse.t_quantile(warehouse.t_cdf(1.234, 7.5), 7.5)", Double.class))
                .isCloseTo(1.234, org.assertj.core.data.Offset.offset(1e-12));
    }

    private static List<Row> reference() throws Exception {
        List<Row> rows = new ArrayList<>();
        try (var in = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                StatisticsTest.class.getResourceAsStream("/statistics-reference.csv")), StandardCharsets.UTF_8))) {
            in.readLine(); // header
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(",", -1);
                rows.add(new Row(f[0], Double.parseDouble(f[1]), f[2].isEmpty() ? null : Double.valueOf(f[2]),
                        Double.parseDouble(f[3])));
            }
        }
        return rows;
    }
}
