package dev.spectrum.definitions.apply;

import java.sql.SQLException;

/**
 * A checked definition that becomes a view: what ./spectrum and the operator do with any kind
 * of definition, through the one ViewStore.
 */
public interface Definition {

    /** funnel, experiment (as in funnel-checkout-sql). */
    String kind();

    /** The resource's name. */
    String name();

    /** funnel_checkout: the view's name in analytics. */
    String viewName();

    /** The refresh schedule. */
    String schedule();

    /** The SQL that makes the view, as applied (its SHA-256 is the definition's identity). */
    String createSql();

    ViewStore.Outcome applyTo(ViewStore store, String specJson) throws SQLException;

    boolean deleteFrom(ViewStore store) throws SQLException;

    default String label() {
        return kind() + "/" + name();
    }
}
