-- Statistics for experiment results, in PostgreSQL with no extension (semantics.md,
-- Experiments): the normal CDF, Student's t CDF and quantile for any positive real degrees of
-- freedom, and the chi-squared upper tail. Accurate to about 1e-12 over the range used
-- (checked against SciPy in StatisticsTest: 1e-9 absolute, 1e-6 relative below 1e-6).
-- Methods: Lanczos log-gamma; regularized incomplete beta by its continued fraction (modified
-- Lentz); regularized incomplete gamma by series or continued fraction; the t quantile by
-- Newton's method kept inside a shrinking bracket (bisection when a step would leave it).
SET LOCAL ROLE spectrum_pipeline;

-- exp(x), but 0 below e^-700 (about 1e-304): PostgreSQL raises "underflow" when a result
-- rounds to zero, so tiny terms are multiplied in log space and only then exponentiated here.
CREATE FUNCTION warehouse.exp_or_zero(x double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT CASE WHEN x < -700 THEN 0 ELSE exp(x) END
$fn$;

-- ln Γ(x), x > 0 (Lanczos, g = 7, n = 9; relative error about 1e-15).
CREATE FUNCTION warehouse.ln_gamma(x double precision) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
DECLARE
    c double precision[] := ARRAY[0.99999999999980993, 676.5203681218851, -1259.1392167224028,
        771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
        9.9843695780195716e-6, 1.5056327351493116e-7];
    a double precision;
    t double precision;
    y double precision;
BEGIN
    IF x < 0.5 THEN   -- reflection
        RETURN ln(pi() / abs(sin(pi() * x))) - warehouse.ln_gamma(1 - x);
    END IF;
    y := x - 1;
    a := c[1];
    FOR i IN 1..8 LOOP
        a := a + c[i + 1] / (y + i);
    END LOOP;
    t := y + 7.5;
    RETURN 0.5 * ln(2 * pi()) + (y + 0.5) * ln(t) - t + ln(a);
END
$fn$;

-- ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). For b = 1/2 and large a (Student's t with many
-- degrees of freedom) the difference ln Γ(a + 1/2) − ln Γ(a) comes from its asymptotic series,
-- since subtracting two huge log-gammas would lose the digits that matter.
CREATE FUNCTION warehouse.ln_beta(a double precision, b double precision) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
BEGIN
    IF b = 0.5 AND a > 100 THEN
        -- Γ(a + 1/2) / Γ(a) = √a (1 − 1/(8a) + 1/(128a²) + 5/(1024a³) − 21/(32768a⁴) + …)
        RETURN warehouse.ln_gamma(0.5) - (0.5 * ln(a) + ln(1 - 1 / (8 * a) + 1 / (128 * a ^ 2)
                                            + 5 / (1024 * a ^ 3) - 21 / (32768 * a ^ 4)));
    END IF;
    RETURN warehouse.ln_gamma(a) + warehouse.ln_gamma(b) - warehouse.ln_gamma(a + b);
END
$fn$;

-- The continued fraction of the incomplete beta function (modified Lentz).
CREATE FUNCTION warehouse.beta_fraction(a double precision, b double precision, x double precision)
    RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
DECLARE
    tiny constant double precision := 1e-300;
    qab double precision := a + b;
    qap double precision := a + 1;
    qam double precision := a - 1;
    c double precision := 1;
    d double precision;
    h double precision;
    aa double precision;
    delta double precision;
    m2 integer;
BEGIN
    d := 1 - qab * x / qap;
    IF abs(d) < tiny THEN d := tiny; END IF;
    d := 1 / d;
    h := d;
    FOR m IN 1..100000 LOOP
        m2 := 2 * m;
        aa := m * (b - m) * x / ((qam + m2) * (a + m2));
        d := 1 + aa * d;
        IF abs(d) < tiny THEN d := tiny; END IF;
        c := 1 + aa / c;
        IF abs(c) < tiny THEN c := tiny; END IF;
        d := 1 / d;
        h := h * d * c;
        aa := -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d := 1 + aa * d;
        IF abs(d) < tiny THEN d := tiny; END IF;
        c := 1 + aa / c;
        IF abs(c) < tiny THEN c := tiny; END IF;
        d := 1 / d;
        delta := d * c;
        h := h * delta;
        IF abs(delta - 1) < 1e-16 THEN
            RETURN h;
        END IF;
    END LOOP;
    RAISE EXCEPTION 'incomplete beta did not converge for a=%, b=%, x=%', a, b, x;
END
$fn$;

-- The regularized incomplete beta function I_x(a, b), given x and y = 1 - x (callers that know
-- y more precisely than 1 - x, as Student's t near 0 with huge df, pass it directly).
CREATE FUNCTION warehouse.incomplete_beta(a double precision, b double precision, x double precision,
                                          y double precision)
    RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
DECLARE
    ln_front double precision;
BEGIN
    IF x <= 0 THEN RETURN 0; END IF;
    IF y <= 0 THEN RETURN 1; END IF;
    ln_front := a * ln(x) + b * ln(y) - warehouse.ln_beta(a, b);
    IF x < (a + 1) / (a + b + 2) THEN
        RETURN warehouse.exp_or_zero(ln_front + ln(warehouse.beta_fraction(a, b, x) / a));
    END IF;
    RETURN 1 - warehouse.exp_or_zero(ln_front + ln(warehouse.beta_fraction(b, a, y) / b));
END
$fn$;

CREATE FUNCTION warehouse.incomplete_beta(a double precision, b double precision, x double precision)
    RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT warehouse.incomplete_beta(a, b, x, 1 - x)
$fn$;

-- The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a).
CREATE FUNCTION warehouse.upper_incomplete_gamma(a double precision, x double precision)
    RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
DECLARE
    tiny constant double precision := 1e-300;
    ln_front double precision;
    sum double precision;
    term double precision;
    ap double precision;
    b double precision;
    c double precision;
    d double precision;
    h double precision;
    an double precision;
    delta double precision;
BEGIN
    IF x <= 0 THEN RETURN 1; END IF;
    ln_front := -x + a * ln(x) - warehouse.ln_gamma(a);
    IF x < a + 1 THEN   -- series for P(a, x)
        ap := a;
        sum := 1 / a;
        term := sum;
        FOR n IN 1..100000 LOOP
            ap := ap + 1;
            term := term * x / ap;
            sum := sum + term;
            IF abs(term) < abs(sum) * 1e-17 THEN
                RETURN 1 - warehouse.exp_or_zero(ln_front + ln(sum));
            END IF;
        END LOOP;
        RAISE EXCEPTION 'incomplete gamma series did not converge for a=%, x=%', a, x;
    END IF;
    b := x + 1 - a;   -- continued fraction for Q(a, x)
    c := 1 / tiny;
    d := 1 / b;
    h := d;
    FOR i IN 1..100000 LOOP
        an := -i * (i - a);
        b := b + 2;
        d := an * d + b;
        IF abs(d) < tiny THEN d := tiny; END IF;
        c := b + an / c;
        IF abs(c) < tiny THEN c := tiny; END IF;
        d := 1 / d;
        delta := d * c;
        h := h * delta;
        IF abs(delta - 1) < 1e-16 THEN
            RETURN warehouse.exp_or_zero(ln_front + ln(h));
        END IF;
    END LOOP;
    RAISE EXCEPTION 'incomplete gamma fraction did not converge for a=%, x=%', a, x;
END
$fn$;

-- Φ(x), the standard normal CDF.
CREATE FUNCTION warehouse.normal_cdf(x double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT CASE WHEN x < 0 THEN 0.5 * warehouse.upper_incomplete_gamma(0.5, x * x / 2)
                ELSE 1 - 0.5 * warehouse.upper_incomplete_gamma(0.5, x * x / 2) END
$fn$;

-- P(|T| > |t|) for Student's t with df > 0 degrees of freedom: the two-sided p-value, computed
-- directly so that tiny p-values keep their relative precision. With very many degrees of
-- freedom the incomplete beta's continued fraction needs about √df steps, so there the normal
-- tail with its first correction term is used, but only where the terms it leaves out (relative
-- size about t⁸/df²) are below 1e-8: beyond 1e7 df for moderate t, and beyond 1e9 df for any t.
CREATE FUNCTION warehouse.t_two_sided_p(t double precision, df double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT CASE
        WHEN df > 1e9 OR (df > 1e7 AND (t * t) ^ 4 / (df * df) < 1e-8) THEN
            2 * (0.5 * warehouse.upper_incomplete_gamma(0.5, t * t / 2)
                 + warehouse.exp_or_zero(-t * t / 2) / sqrt(2 * pi()) * (abs(t) ^ 3 + abs(t)) / (4 * df))
        ELSE warehouse.incomplete_beta(df / 2, 0.5, df / (df + t * t), t * t / (df + t * t))
    END
$fn$;

-- T_df(t), Student's t CDF.
CREATE FUNCTION warehouse.t_cdf(t double precision, df double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT CASE WHEN t < 0 THEN 0.5 * warehouse.t_two_sided_p(t, df)
                ELSE 1 - 0.5 * warehouse.t_two_sided_p(t, df) END
$fn$;

-- Student's t density.
CREATE FUNCTION warehouse.t_pdf(t double precision, df double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT warehouse.exp_or_zero(-warehouse.ln_beta(df / 2, 0.5) - 0.5 * ln(df) - (df + 1) / 2 * ln(1 + t * t / df))
$fn$;

-- The t with T_df(t) = p, 0 < p < 1: Newton's method on the upper tail inside a bracket that
-- shrinks at every step; a step that would leave the bracket bisects instead.
CREATE FUNCTION warehouse.t_quantile(p double precision, df double precision) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
DECLARE
    tail double precision;   -- the upper tail we want: 1 - p (for p > 1/2)
    lo double precision := 0;
    hi double precision := 1;
    t double precision;
    f double precision;
    density double precision;
    step double precision;
BEGIN
    IF p <= 0 OR p >= 1 OR df <= 0 THEN
        RAISE EXCEPTION 't_quantile needs 0 < p < 1 and df > 0, got p=%, df=%', p, df;
    END IF;
    IF p = 0.5 THEN RETURN 0; END IF;
    IF p < 0.5 THEN RETURN -warehouse.t_quantile(1 - p, df); END IF;
    tail := 1 - p;
    WHILE 0.5 * warehouse.t_two_sided_p(hi, df) > tail LOOP
        lo := hi;
        hi := hi * 2;
        IF hi > 1e300 THEN RETURN 'Infinity'; END IF;
    END LOOP;
    t := (lo + hi) / 2;
    FOR i IN 1..500 LOOP
        f := 0.5 * warehouse.t_two_sided_p(t, df) - tail;   -- decreasing in t
        IF f > 0 THEN lo := t; ELSE hi := t; END IF;
        density := warehouse.t_pdf(t, df);
        step := CASE WHEN density > 0 THEN f / density ELSE hi - lo END;   -- Newton: t - f / f', f' = -pdf
        IF abs(step) <= 1e-15 * greatest(1, abs(t)) THEN
            RETURN t + step;
        END IF;
        t := t + step;
        IF NOT (t > lo AND t < hi) THEN
            t := (lo + hi) / 2;
        END IF;
        EXIT WHEN hi - lo <= 1e-15 * greatest(1, abs(t));
    END LOOP;
    RETURN t;
END
$fn$;

-- P(X > x) for the chi-squared distribution with k degrees of freedom (the SRM test).
CREATE FUNCTION warehouse.chi2_upper_tail(x double precision, k double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT warehouse.upper_incomplete_gamma(k / 2, x / 2)
$fn$;

RESET ROLE;
