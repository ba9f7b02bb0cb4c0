package dev.spectrum.definitions.v1alpha1;

/** How a funnel's steps must follow each other (lower case: these are the values users write). */
public enum FunnelOrder {
    ordered, strict, unordered
}
