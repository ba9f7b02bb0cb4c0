package dev.spectrum.definitions.filter;

import static dev.spectrum.definitions.sql.SqlText.literal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spectrum.definitions.Checks;
import dev.spectrum.definitions.v1alpha1.FilterOp;
import dev.spectrum.definitions.v1alpha1.PropertyFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * A checked filter on an event's top-level property (funnel steps and experiment metrics), with
 * its values in text form, and the SQL condition it stands for (semantics.md, Properties in
 * filters).
 */
public record Filter(String property, FilterOp op, List<String> values) {

    private static final Pattern DECIMAL = Pattern.compile("^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$");

    public String value() {
        return values.get(0);
    }

    /** The filters of a where list; problems are added with their paths. */
    public static List<Filter> check(String stepPath, List<PropertyFilter> where, List<String> problems) {

        List<Filter> filters = new ArrayList<>();
        if (where == null) {
            return filters;
        }
        for (int j = 0; j < where.size(); j++) {
            PropertyFilter f = where.get(j);
            String path = stepPath + ".where[" + j + "]";
            if (Checks.blank(f.getProperty())) {
                problems.add(path + ".property: is required");
                continue;
            }
            Checks.text(path + ".property", f.getProperty(), problems);
            if (f.getOp() == null) {
                problems.add(path + ".op: is required (eq, neq, in, not_in, contains, gt, gte, lt, lte, is_set, is_not_set)");
                continue;
            }
            List<String> values = new ArrayList<>();
            switch (f.getOp()) {
                case is_set, is_not_set -> {
                    if (f.getValue() != null || f.getValues() != null) {
                        problems.add(path + ": " + f.getOp() + " takes neither value nor values");
                    }
                }
                case in, not_in -> {
                    if (f.getValue() != null || f.getValues() == null || f.getValues().isEmpty()) {
                        problems.add(path + ": " + f.getOp() + " takes values (a non-empty list), not value");
                    } else {
                        for (int k = 0; k < f.getValues().size(); k++) {
                            scalar(path + ".values[" + k + "]", f.getValues().get(k), values, problems);
                        }
                    }
                }
                default -> {
                    if (f.getValue() == null || f.getValues() != null) {
                        problems.add(path + ": " + f.getOp() + " takes value (one string, number or boolean), not values");
                    } else {
                        scalar(path + ".value", f.getValue(), values, problems);
                        boolean numeric = switch (f.getOp()) {
                            case gt, gte, lt, lte -> true;
                            default -> false;
                        };
                        if (numeric && !values.isEmpty() && !DECIMAL.matcher(values.get(0)).matches()) {
                            problems.add(path + ".value: " + f.getOp() + " compares numbers; '" + values.get(0)
                                    + "' is not a number");
                        }
                    }
                }
            }
            filters.add(new Filter(f.getProperty(), f.getOp(), List.copyOf(values)));
        }
        return filters;
    }

    private static void scalar(String path, JsonNode node, List<String> values, List<String> problems) {
        if (node == null || !(node.isTextual() || node.isNumber() || node.isBoolean())) {
            problems.add(path + ": must be a string, number or boolean");
            return;
        }
        String text = node.isNumber() ? node.numberValue().toString() : node.asText();
        if (node.isBigDecimal() || node.isDouble() || node.isFloat()) {
            text = node.decimalValue().toPlainString();
        }
        Checks.text(path, text, problems);
        values.add(text);
    }

    /** The SQL condition on the JSON properties column {@code column}: missing (or JSON null) fails all but neq, not_in, is_not_set. */
    public String sql(String column) {
        String text = "(" + column + " ->> " + literal(property) + ")";
        String number = "warehouse.json_number(" + column + " -> " + literal(property) + ")";
        return switch (op) {
            case eq -> text + " = " + literal(value());
            case neq -> text + " IS DISTINCT FROM " + literal(value());
            case in -> "coalesce(" + text + " = ANY (" + array(values) + "), false)";
            case not_in -> "NOT coalesce(" + text + " = ANY (" + array(values) + "), false)";
            case contains -> "strpos(" + text + ", " + literal(value()) + ") > 0";
            case gt -> number + " > " + literal(value()) + "::numeric";
            case gte -> number + " >= " + literal(value()) + "::numeric";
            case lt -> number + " < " + literal(value()) + "::numeric";
            case lte -> number + " <= " + literal(value()) + "::numeric";
            case is_set -> text + " IS NOT NULL";
            case is_not_set -> text + " IS NULL";
        };
    }

    private static String array(List<String> values) {
        var array = new StringJoiner(", ", "ARRAY[", "]::text[]");
        values.forEach(v -> array.add(literal(v)));
        return array.toString();
    }
}
