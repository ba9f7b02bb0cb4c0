package dev.spectrum.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed CRDs are exactly what the resource classes generate. */
class CrdYamlTest {

    private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
    private static final Path COMMITTED = Path.of("../crds");

    @Test
    void committedCrdsMatchTheClasses() throws IOException {
        try (Stream<Path> generated = Files.list(GENERATED)) {
            var files = generated.filter(p -> p.toString().endsWith(".yml")).toList();
            assertThat(files).isNotEmpty();
            for (Path file : files) {
                Path committed = COMMITTED.resolve(file.getFileName());
                assertThat(committed).as("crds/%s is missing: run mvn -pl definitions process-classes"
                        + " && cp definitions/target/classes/META-INF/fabric8/*.yml crds/", file.getFileName()).exists();
                assertThat(Files.readString(committed))
                        .as("crds/%s differs from what the classes generate: run mvn -pl definitions process-classes"
                                + " && cp definitions/target/classes/META-INF/fabric8/*.yml crds/", file.getFileName())
                        .isEqualTo(Files.readString(file));
            }
        }
    }
}
