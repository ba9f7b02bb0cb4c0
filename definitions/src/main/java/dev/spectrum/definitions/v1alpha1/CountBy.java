package dev.spectrum.definitions.v1alpha1;

/** The unit a funnel counts (lower case: these are the values users write). */
public enum CountBy {
    person, account
}
