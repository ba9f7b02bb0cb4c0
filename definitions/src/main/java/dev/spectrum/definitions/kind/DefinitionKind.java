package dev.spectrum.definitions.kind;

import dev.spectrum.definitions.Definition;
import dev.spectrum.definitions.ViewShape;
import dev.spectrum.definitions.experiment.ExperimentDefinition;
import dev.spectrum.definitions.funnel.FunnelDefinition;
import dev.spectrum.definitions.v1alpha1.Experiment;
import dev.spectrum.definitions.v1alpha1.Funnel;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every kind of definition, in one list: its name (as in YAML and in {@code warehouse.definitions},
 * taken from the resource class's {@code @Kind}), its resource class, the parser that checks a
 * resource into a {@link Definition}, and the shape of its views. The files loader, ./spectrum
 * and the operator all go through it; a new kind is one more constant here and its own package.
 */
public enum DefinitionKind {

    FUNNEL(Funnel.class, FunnelDefinition::from, FunnelDefinition.SHAPE),
    EXPERIMENT(Experiment.class, ExperimentDefinition::from, ExperimentDefinition.SHAPE);

    private final Class<? extends HasMetadata> resourceClass;
    private final Function<HasMetadata, Definition> parser;
    private final ViewShape shape;

    <R extends HasMetadata> DefinitionKind(Class<R> resourceClass, Function<? super R, ? extends Definition> parser,
                                           ViewShape shape) {
        this.resourceClass = resourceClass;
        this.parser = resource -> parser.apply(resourceClass.cast(resource));
        this.shape = shape;
    }

    /** Funnel, Experiment: as in YAML's {@code kind} and in {@code warehouse.definitions.kind}. */
    public String kindName() {
        return HasMetadata.getKind(resourceClass);
    }

    public Class<? extends HasMetadata> resourceClass() {
        return resourceClass;
    }

    /** The shape of this kind's views (what deleting one by name needs, when its spec no longer checks). */
    public ViewShape shape() {
        return shape;
    }

    /** The checked definition, or InvalidDefinitionException with every problem and what to change. */
    public Definition check(HasMetadata resource) {
        return parser.apply(resource);
    }

    /** The kind of this name (as in YAML), if there is one. */
    public static Optional<DefinitionKind> named(String kindName) {
        return Arrays.stream(values()).filter(k -> k.kindName().equals(kindName)).findFirst();
    }

    /** The kind of a resource of one of the kinds' classes. */
    public static DefinitionKind of(HasMetadata resource) {
        return Arrays.stream(values()).filter(k -> k.resourceClass.isInstance(resource)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(resource.getClass().getName() + " is no kind of definition"));
    }

    /** "Funnel, Experiment" (with {@code separator} between them): for messages. */
    public static String names(String separator) {
        return Arrays.stream(values()).map(DefinitionKind::kindName).collect(Collectors.joining(separator));
    }
}
