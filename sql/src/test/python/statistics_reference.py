#!/usr/bin/python3
"""Reference values for the SQL statistics functions of V7__statistics.sql.

Run with Debian's python3 and its python3-scipy and python3-mpmath packages:

    /usr/bin/python3 sql/src/test/python/statistics_reference.py > sql/src/test/resources/statistics-reference.csv

StatisticsTest compares every row with the SQL function of the same name: 1e-9 absolute, and
1e-6 relative where the value is below 1e-6. SciPy gives every value except the t quantiles,
which come from mpmath at 50 significant digits (a root of mpmath's own incomplete-beta CDF):
SciPy's t.ppf is off by up to ~4e-8 at fractional degrees of freedom (e.g. p=0.975, df=0.5), so
for quantiles it is itself printed only as a cross-check column.
"""
import csv
import sys

import mpmath
from scipy import stats

mpmath.mp.dps = 50


def t_cdf_mp(t, df):
    t, df = mpmath.mpf(t), mpmath.mpf(df)
    x = df / (df + t * t)
    tail = mpmath.betainc(df / 2, mpmath.mpf(1) / 2, 0, x, regularized=True) / 2
    return 1 - tail if t > 0 else tail


def t_quantile_mp(p, df):
    guess = stats.t.ppf(p, df)
    return mpmath.findroot(lambda t: t_cdf_mp(t, df) - mpmath.mpf(p), mpmath.mpf(guess), tol=mpmath.mpf(10) ** -40)


out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["function", "a", "b", "expected", "scipy"])

for x in [-37, -20, -10, -5, -3, -1.96, -1, -0.1, 0, 0.5, 1, 1.645, 2.5, 4, 8, 10]:
    v = stats.norm.cdf(x)
    out.writerow(["normal_cdf", repr(float(x)), "", repr(float(v)), repr(float(v))])

for df in [0.5, 1, 1.5, 2, 3, 5, 10, 30, 100, 1000, 1e5, 1e6, 1e8]:
    for t in [-50, -10, -3, -1, -0.2, 0, 0.7, 2, 5, 30]:
        v = stats.t.cdf(t, df)
        out.writerow(["t_cdf", repr(float(t)), repr(float(df)), repr(float(v)), repr(float(v))])

for df in [1, 3, 10, 50, 200, 1e4, 1e6, 5e7]:
    for t in [0.5, 2, 5, 8, 12, 20, 40]:
        v = 2 * stats.t.sf(t, df)
        out.writerow(["t_two_sided_p", repr(float(t)), repr(float(df)), repr(float(v)), repr(float(v))])

# very many degrees of freedom and large t: the exact tail from mpmath (SciPy's agrees only to ~1e-6 here)
for df in [1.01e7, 1e8, 2e9]:
    for t in [2, 5, 15, 20, 30]:
        tt, d = mpmath.mpf(t), mpmath.mpf(df)
        v = mpmath.betainc(d / 2, mpmath.mpf(1) / 2, 0, d / (d + tt * tt), regularized=True)
        out.writerow(["t_two_sided_p", repr(float(t)), repr(float(df)), repr(float(v)), repr(float(2 * stats.t.sf(t, df)))])

for df in [0.5, 1, 2, 5, 10, 30, 100, 1e4, 1e6]:
    for p in [0.0005, 0.025, 0.4, 0.5005, 0.6, 0.9, 0.95, 0.975, 0.99, 0.995, 0.9995]:
        v = t_quantile_mp(p, df)
        out.writerow(["t_quantile", repr(float(p)), repr(float(df)), repr(float(v)), repr(float(stats.t.ppf(p, df)))])

for k in [1, 2, 3, 5, 9]:
    for x in [0, 0.1, 1, 3.84, 10, 30, 60, 100]:
        v = stats.chi2.sf(x, k)
        out.writerow(["chi2_upper_tail", repr(float(x)), repr(float(k)), repr(float(v)), repr(float(v))])
