package dev.spectrum.definitions.architecture.cycle.a;

import dev.spectrum.definitions.architecture.cycle.b.B;

/** Half of a deliberate import cycle, for ArchitectureTest's check that its rule catches one. */
public class A {
    public B b;
}
