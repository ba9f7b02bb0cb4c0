package dev.spectrum.definitions;

/**
 * What the store needs to know about the views of one kind: the columns of the unique index that
 * REFRESH ... CONCURRENTLY needs, the combined view over every definition of the kind, and the
 * relation with the combined view's columns and no rows (what it is while none is applied).
 */
public record ViewShape(String uniqueKey, ViewName combinedView, String emptyRows) {
}
