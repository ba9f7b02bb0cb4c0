package dev.spectrum.grafana;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A panel's SQL as Grafana's PostgreSQL datasource sends it to the database, in Grafana's order:
 * <ol>
 * <li>the browser replaces template variables (templateSrv.replace with the SQL datasource's
 *     interpolateVariable as the default format, and the named formats {@code ${v:sqlstring}},
 *     {@code ${v:csv}}, {@code ${v:raw}}, {@code ${v:singlequote}}), and the built-ins
 *     {@code $__interval}, {@code $__interval_ms}, {@code ${__from}}, {@code ${__to}};</li>
 * <li>the backend's global substitutions (sqleng Interpolate): {@code $__interval_ms},
 *     {@code $__interval}, {@code $__unixEpochFrom()}, {@code $__unixEpochTo()};</li>
 * <li>the PostgreSQL macro engine (pkg/tsdb/grafana-postgresql-datasource/macros.go):
 *     {@code $__time}, {@code $__timeEpoch}, {@code $__timeFilter}, {@code $__timeFrom},
 *     {@code $__timeTo}, {@code $__timeGroup} (with the pre-5.3 alias rule),
 *     {@code $__timeGroupAlias}, {@code $__unixEpochFilter}, {@code $__unixEpochNanoFilter},
 *     {@code $__unixEpochNanoFrom}, {@code $__unixEpochNanoTo}, {@code $__unixEpochGroup},
 *     {@code $__unixEpochGroupAlias}; an unknown macro is an error, as in Grafana.</li>
 * </ol>
 * Written from Grafana's sources (public/app/features/templating/template_srv.ts and
 * formatRegistry.ts, packages/grafana-sql datasource/SqlDatasource.ts, pkg/tsdb/sqleng and the
 * macros file above), not from Spectrum's dashboards.
 */
final class GrafanaSql {

    /** A variable's current value: one text or several, and whether the variable is multi-value or has All. */
    record Value(List<String> values, boolean multiOrAll) {
        static Value single(String value) {
            return new Value(List.of(value), false);
        }
    }

    /** Grafana's variable syntax: $name, [[name:format]], ${name.field:format}. */
    static final Pattern VARIABLE = Pattern.compile(
            "\\$(\\w+)|\\[\\[(\\w+?)(?::(\\w+))?]]|\\$\\{(\\w+)(?:\\.([^:^}]+))?(?::([^}]+))?}");
    private static final Pattern MACRO = Pattern.compile("\\$([_a-zA-Z0-9]+)\\(([^)]*)\\)");

    private final Instant from;
    private final Instant to;
    private final Duration interval;

    GrafanaSql(Instant from, Instant to, Duration interval) {
        this.from = from;
        this.to = to;
        this.interval = interval;
    }

    /** Variables, then the global substitutions, then the macros. */
    String expand(String sql, Map<String, Value> variables) {
        return macros(global(variables(sql, variables)));
    }

    /** Step 1: template variables (unknown names stay as written, as Grafana leaves them). */
    String variables(String sql, Map<String, Value> variables) {
        Matcher m = VARIABLE.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(4);
            String format = m.group(3) != null ? m.group(3) : m.group(6);
            String replacement = builtIn(name, format);
            if (replacement == null) {
                Value value = variables.get(name);
                replacement = value == null ? m.group() : format(value, format);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String builtIn(String name, String format) {
        return switch (name) {
            case "__interval" -> formatInterval(interval);
            case "__interval_ms" -> String.valueOf(interval.toMillis());
            case "__from" -> format == null ? String.valueOf(from.toEpochMilli()) : null;
            case "__to" -> format == null ? String.valueOf(to.toEpochMilli()) : null;
            default -> null;
        };
    }

    /** formatRegistry.ts for the named formats; SqlDatasource.interpolateVariable without one. */
    static String format(Value value, String format) {
        List<String> values = value.values();
        if (format == null) {
            if (values.size() == 1 && !value.multiOrAll()) {
                return values.get(0).replace("'", "''");
            }
            return join(values.stream().map(GrafanaSql::quoteLiteral).toList());
        }
        return switch (format) {
            case "sqlstring" -> join(values.stream().map(v -> "'" + v.replace("'", "''") + "'").toList());
            case "csv" -> join(values);
            case "raw" -> join(values);
            case "singlequote" -> join(values.stream().map(v -> "'" + v.replace("'", "\\'") + "'").toList());
            case "doublequote" -> join(values.stream().map(v -> "\"" + v.replace("\"", "\\\"") + "\"").toList());
            default -> throw new IllegalArgumentException("format :" + format + " is not one the dashboards may use");
        };
    }

    private static String quoteLiteral(String v) {
        return "'" + v.replace("'", "''") + "'";
    }

    private static String join(List<String> values) {
        return String.join(",", values);
    }

    /** Step 2: sqleng.Interpolate. */
    String global(String sql) {
        return sql.replace("$__interval_ms", String.valueOf(interval.toMillis()))
                .replace("$__interval", formatInterval(interval))
                .replace("$__unixEpochFrom()", String.valueOf(from.getEpochSecond()))
                .replace("$__unixEpochTo()", String.valueOf(to.getEpochSecond()));
    }

    /** Step 3: the PostgreSQL macro engine. */
    String macros(String sql) {
        Matcher m = MACRO.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            if (name.equals("__timeGroup")) {
                // pre-5.3 compatibility: a ',' right after the macro call makes it the alias form
                int index = sql.indexOf(m.group());
                if (index >= 0) {
                    index += m.group().length();
                    if (sql.length() > index && sql.charAt(index) == ',') {
                        name = "__timeGroupAlias";
                    }
                }
            }
            List<String> args = new ArrayList<>();
            for (String arg : m.group(2).split(",", -1)) {
                args.add(arg.strip());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(macro(name, args)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String macro(String name, List<String> args) {
        String column = args.get(0);
        return switch (name) {
            case "__time" -> needColumn(name, column) + " AS \"time\"";
            case "__timeEpoch" -> "extract(epoch from " + needColumn(name, column) + ") as \"time\"";
            case "__timeFilter" -> needColumn(name, column) + " BETWEEN '" + rfc3339Nano(from) + "' AND '" + rfc3339Nano(to) + "'";
            case "__timeFrom" -> "'" + rfc3339Nano(from) + "'";
            case "__timeTo" -> "'" + rfc3339Nano(to) + "'";
            case "__timeGroup" -> {
                double seconds = groupInterval(name, args);
                yield "floor(extract(epoch from " + column + ")/" + goFloat(seconds) + ")*" + goFloat(seconds);
            }
            case "__timeGroupAlias" -> macro("__timeGroup", args) + " AS \"time\"";
            case "__unixEpochFilter" -> needColumn(name, column) + " >= " + from.getEpochSecond() + " AND " + column + " <= " + to.getEpochSecond();
            case "__unixEpochNanoFilter" -> needColumn(name, column) + " >= " + nanos(from) + " AND " + column + " <= " + nanos(to);
            case "__unixEpochNanoFrom" -> String.valueOf(nanos(from));
            case "__unixEpochNanoTo" -> String.valueOf(nanos(to));
            case "__unixEpochGroup" -> {
                double seconds = groupInterval(name, args);
                yield "floor((" + column + ")/" + goFloat(seconds) + ")*" + goFloat(seconds);
            }
            case "__unixEpochGroupAlias" -> macro("__unixEpochGroup", args) + " AS \"time\"";
            default -> throw new IllegalArgumentException("unknown macro \"" + name + "\"");
        };
    }

    private static String needColumn(String macro, String column) {
        if (column.isEmpty()) {
            throw new IllegalArgumentException("missing time column argument for macro " + macro);
        }
        return column;
    }

    private static double groupInterval(String macro, List<String> args) {
        if (args.size() < 2) {
            throw new IllegalArgumentException("macro " + macro + " needs time column and interval and optional fill value");
        }
        String text = args.get(1).replaceAll("^'+|'+$", "");
        return parseInterval(text).toMillis() / 1000.0;
    }

    /** gtime.ParseInterval for the units dashboards use: ms, s, m, h, d, w (y and M are rejected here). */
    static Duration parseInterval(String text) {
        Matcher m = Pattern.compile("^(\\d+)(ms|s|m|h|d|w)$").matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("error parsing interval " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    /** gtime.FormatInterval: the largest whole unit (y, d, h, m, s, ms). */
    static String formatInterval(Duration d) {
        long ms = d.toMillis();
        long[] sizes = {365L * 24 * 3600_000, 24L * 3600_000, 3600_000, 60_000, 1000};
        String[] units = {"y", "d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms >= sizes[i]) {
                return (ms / sizes[i]) + units[i];
            }
        }
        return ms + "ms";
    }

    /** Go's %v of a float64: no decimal point for whole numbers. */
    static String goFloat(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e21 ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped, no fraction when whole. */
    static String rfc3339Nano(Instant t) {
        String base = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC).format(t);
        if (t.getNano() == 0) {
            return base + "Z";
        }
        String fraction = String.format("%09d", t.getNano()).replaceAll("0+$", "");
        return base + "." + fraction + "Z";
    }
}
