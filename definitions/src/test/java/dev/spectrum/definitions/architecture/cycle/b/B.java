package dev.spectrum.definitions.architecture.cycle.b;

import dev.spectrum.definitions.architecture.cycle.a.A;

/** The other half of the deliberate import cycle. */
public class B {
    public A a;
}
