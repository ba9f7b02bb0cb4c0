package dev.spectrum.definitions.v1alpha1;

/** Filter operators (lower case: these are the values users write). */
public enum FilterOp {
    eq, neq, in, not_in, contains, gt, gte, lt, lte, is_set, is_not_set
}
