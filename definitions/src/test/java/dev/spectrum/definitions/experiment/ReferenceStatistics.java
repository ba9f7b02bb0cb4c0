package dev.spectrum.definitions.experiment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.special.Beta;
import org.apache.commons.math3.special.Gamma;

/**
 * A second implementation of semantics.md (Experiments) in plain Java with Apache Commons Math,
 * written from the spec and not from the SQL: the reference the generated views are held to.
 */
final class ReferenceStatistics {

    record VariantRow(String metric, String variant, boolean control, long n, Double mean, Double stddev,
                      Double absLift, Double relLift, Double ciLow, Double ciHigh, Double p, Double chance,
                      Double pAdjusted) {
    }

    private ReferenceStatistics() {
    }

    /** values.get(metric).get(variant) = the per-person values of the persons assigned to it. */
    static List<VariantRow> compute(List<String> metrics, Map<String, Boolean> conversion, List<String> variants, String control,
                                    Map<String, Map<String, List<Double>>> values, double alpha, String correction) {
        List<VariantRow> rows = new ArrayList<>();
        for (String metric : metrics) {
            List<Double> c = values.get(metric).get(control);
            double nc = c.size();
            double mc = mean(c);
            double vc = variance(c, conversion.get(metric));
            for (String variant : variants) {
                List<Double> t = values.get(metric).get(variant);
                long n = t.size();
                Double mean = n == 0 ? null : mean(t);
                double v = variance(t, conversion.get(metric));
                Double stddev = n == 0 || (!conversion.get(metric) && n == 1) ? null : Math.sqrt(v);
                boolean isControl = variant.equals(control);
                Double abs = null, rel = null, low = null, high = null, p = null, chance = null;
                if (!isControl && n >= 2 && nc >= 2 && mc != 0) {
                    abs = mean - mc;
                    rel = (mean - mc) / Math.abs(mc);
                    double se = Math.sqrt(v / (n * mc * mc) + mean * mean * vc / (nc * Math.pow(mc, 4)));
                    if (se > 0) {
                        double df = Math.pow(v / n + vc / nc, 2)
                                / (v * v / ((double) n * n * (n - 1)) + vc * vc / (nc * nc * (nc - 1)));
                        double stat = rel / se;
                        p = Beta.regularizedBeta(df / (df + stat * stat), df / 2, 0.5);   // = 2 (1 - T(|stat|))
                        double q = new TDistribution(df).inverseCumulativeProbability(1 - alpha / 2);
                        low = rel - q * se;
                        high = rel + q * se;
                        chance = new NormalDistribution().cumulativeProbability(stat);
                    }
                }
                rows.add(new VariantRow(metric, variant, isControl, n, mean, stddev, abs, rel, low, high, p, chance, null));
            }
        }
        return adjust(rows, correction);
    }

    private static List<VariantRow> adjust(List<VariantRow> rows, String correction) {
        List<VariantRow> tested = rows.stream().filter(r -> r.p() != null)
                .sorted(Comparator.comparing(VariantRow::p)).toList();
        int m = tested.size();
        double[] adjusted = new double[m];
        for (int i = 0; i < m; i++) {
            double p = tested.get(i).p();
            adjusted[i] = switch (correction) {
                case "holm" -> Math.min(1, (m - i) * p);            // (m - j + 1) with 1-based j
                case "benjamini-hochberg" -> Math.min(1, m * p / (i + 1));
                default -> p;
            };
        }
        if (correction.equals("holm")) {
            for (int i = 1; i < m; i++) {
                adjusted[i] = Math.max(adjusted[i], adjusted[i - 1]);
            }
        } else if (correction.equals("benjamini-hochberg")) {
            for (int i = m - 2; i >= 0; i--) {
                adjusted[i] = Math.min(adjusted[i], adjusted[i + 1]);
            }
        }
        List<VariantRow> out = new ArrayList<>();
        for (VariantRow r : rows) {
            int i = tested.indexOf(r);
            out.add(i < 0 ? r : new VariantRow(r.metric(), r.variant(), r.control(), r.n(), r.mean(), r.stddev(), r.absLift(),
                    r.relLift(), r.ciLow(), r.ciHigh(), r.p(), r.chance(), adjusted[i]));
        }
        return out;
    }

    /** Pearson's chi-squared test of the counts against the weights, k - 1 degrees of freedom. */
    static Double srm(long[] counts, double[] weights) {
        long total = 0;
        double weightSum = 0;
        for (int i = 0; i < counts.length; i++) {
            total += counts[i];
            weightSum += weights[i];
        }
        if (total == 0) {
            return null;
        }
        double chi2 = 0;
        for (int i = 0; i < counts.length; i++) {
            double expected = total * weights[i] / weightSum;
            chi2 += Math.pow(counts[i] - expected, 2) / expected;
        }
        return Gamma.regularizedGammaQ((counts.length - 1) / 2.0, chi2 / 2);
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double variance(List<Double> xs, boolean conversion) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        double m = mean(xs);
        if (conversion) {
            return m * (1 - m);
        }
        if (xs.size() < 2) {
            return Double.NaN;
        }
        double ss = 0;
        for (double x : xs) {
            ss += (x - m) * (x - m);
        }
        return ss / (xs.size() - 1);
    }
}
