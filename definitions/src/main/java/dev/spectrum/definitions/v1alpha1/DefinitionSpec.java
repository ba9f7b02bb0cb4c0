package dev.spectrum.definitions.v1alpha1;

/**
 * What every definition's spec has (Funnel, Experiment): the Spectrum whose database holds its
 * view, and when the view is refreshed.
 */
public interface DefinitionSpec {

    SpectrumRef getSpectrumRef();

    Refresh getRefresh();
}
