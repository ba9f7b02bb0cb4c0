package dev.spectrum.definitions;

import java.util.Locale;

/**
 * A checked definition of any kind, as the one generator sees it: what it is called, the view it
 * becomes and the SQL that makes it. Pure: no database here; {@code apply.ViewStore} applies and
 * deletes any Definition, and {@code ./spectrum} and the operator both go through it.
 */
public interface Definition {

    /** The kind as in YAML and in {@code warehouse.definitions}: Funnel, Experiment. */
    String kind();

    /** The resource's name (metadata.name). */
    String name();

    /** The view it becomes, such as analytics.funnel_checkout. */
    ViewName viewName();

    /** The SELECT whose rows are the view. */
    String selectSql();

    /** The view's unique key, the kind's combined view and its empty rows. */
    ViewShape shape();

    /** The refresh schedule, a cron schedule with five fields. */
    String schedule();

    /** The SQL that makes the view, as applied: its SHA-256 is the definition's {@code sqlHash}. */
    default String createSql() {
        return createSql(viewName(), selectSql());
    }

    /** funnel/checkout, as ./spectrum prints it. */
    default String label() {
        return kind().toLowerCase(Locale.ROOT) + "/" + name();
    }

    /** CREATE MATERIALIZED VIEW of {@code select} under the name {@code view}. */
    static String createSql(ViewName view, String select) {
        return "CREATE MATERIALIZED VIEW " + view.quoted() + " AS\n" + select;
    }
}
