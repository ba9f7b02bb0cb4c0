package dev.spectrum.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The images' inputs, checked after {@code mvn package} without an engine (deploy.md, Images):
 * every path a Dockerfile copies exists in the build output and is let through by .dockerignore,
 * the base is a pinned JRE 17, the user is a numeric non-root one, and the entrypoint starts the
 * right main class from a jar whose class path is complete inside the image.
 */
class ImagesIT {

    static final Path ROOT = Path.of(System.getProperty("spectrum.root", "..")).toAbsolutePath().normalize();

    @Test
    void theSpectrumImageRunsTheCommandWhichFindsTheIngestService() throws IOException {
        Dockerfile docker = checked("spectrum");
        Map<String, Path> image = docker.layout(ROOT);

        String jar = docker.entrypointValue("-jar").orElseThrow();
        assertThat(jar).isEqualTo("/opt/spectrum/cli/target/spectrum-cli.jar");
        assertMain(image, jar, "dev.spectrum.cli.SpectrumCommand");

        // The command resolves the ingest service and the examples under -Dspectrum.home, as
        // ./spectrum does for the repository (IngestProcess, DemoCommand).
        String home = docker.systemProperty("spectrum.home").orElseThrow();
        assertThat(image).containsKey(home + "/ingest/target/quarkus-app/quarkus-run.jar");
        assertMain(image, home + "/ingest/target/quarkus-app/quarkus-run.jar", "io.quarkus.bootstrap.runner.QuarkusEntryPoint");
        assertThat(image).containsKeys(home + "/ingest/target/quarkus-app/quarkus/quarkus-application.dat",
                home + "/examples/checkout-funnel.yaml", home + "/examples/checkout-experiment.yaml");
        assertThat(image.keySet()).anyMatch(p -> p.matches(home + "/ingest/target/quarkus-app/app/spectrum-ingest-.*\\.jar"));

        assertThat(docker.cmd()).containsExactly("serve");
    }

    @Test
    void theOperatorImageRunsTheOperatorsQuarkusApplication() throws IOException {
        Dockerfile docker = checked("spectrum-operator");
        Map<String, Path> image = docker.layout(ROOT);

        String jar = docker.entrypointValue("-jar").orElseThrow();
        assertThat(jar).isEqualTo("/deployments/quarkus-run.jar");
        assertMain(image, jar, "io.quarkus.bootstrap.runner.QuarkusEntryPoint");
        assertThat(image).containsKey("/deployments/quarkus/quarkus-application.dat");
        Path app = image.entrySet().stream()
                .filter(e -> e.getKey().matches("/deployments/app/spectrum-operator-.*\\.jar"))
                .map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no /deployments/app/spectrum-operator-*.jar in the image"));
        try (JarFile operator = new JarFile(app.toFile())) {
            assertThat(operator.getEntry("dev/spectrum/operator/spectrum/SpectrumReconciler.class"))
                    .as("the operator's reconcilers in %s", app).isNotNull();
        }
    }

    @Test
    void aDockerfileThatRunsAsRootOrCopiesWhatIsNotBuiltIsCaught() throws IOException {
        // The checks above must be able to fail: a Dockerfile with the faults they look for.
        Path bad = Files.createTempFile("Dockerfile", "");
        Files.writeString(bad, """
                FROM eclipse-temurin:17-jre
                COPY cli/target/not-built.jar /opt/x.jar
                USER root
                ENTRYPOINT java -jar /opt/x.jar
                """);
        try {
            Dockerfile.parse(bad);
            throw new AssertionError("a shell-form ENTRYPOINT was accepted");
        } catch (IllegalStateException expected) {
            assertThat(expected).hasMessageContaining("exec form");
        }
        Files.writeString(bad, """
                FROM eclipse-temurin:17-jre
                COPY cli/target/not-built.jar /opt/x.jar
                USER root
                ENTRYPOINT ["java", "-jar", "/opt/x.jar"]
                """);
        Dockerfile docker = Dockerfile.parse(bad);
        assertThat(problems(docker)).containsExactlyInAnyOrder(
                "base image eclipse-temurin:17-jre is not a pinned JRE 17 tag (eclipse-temurin:17.0.N_B-jre-...)",
                "COPY source cli/target/not-built.jar does not exist after mvn package",
                "COPY source cli/target/not-built.jar is excluded by .dockerignore",
                "USER root is not a numeric non-root uid:gid");
        Files.delete(bad);
    }

    private static Dockerfile checked(String image) throws IOException {
        Dockerfile docker = Dockerfile.parse(ROOT.resolve("images").resolve(image).resolve("Dockerfile"));
        assertThat(problems(docker)).as("images/%s/Dockerfile (run mvn package first)", image).isEmpty();
        return docker;
    }

    static List<String> problems(Dockerfile docker) throws IOException {
        List<String> problems = new ArrayList<>();
        if (docker.from() == null || !docker.from().matches("eclipse-temurin:17\\.0\\.\\d+_\\d+-jre-[a-z0-9]+(@sha256:[0-9a-f]{64})?")) {
            problems.add("base image " + docker.from() + " is not a pinned JRE 17 tag (eclipse-temurin:17.0.N_B-jre-...)");
        }
        List<String> allowed = dockerignoreExceptions();
        for (Dockerfile.Copy copy : docker.copies()) {
            for (String source : copy.sources()) {
                if (!Files.exists(ROOT.resolve(source))) {
                    problems.add("COPY source " + source + " does not exist after mvn package");
                }
                String plain = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
                if (allowed.stream().noneMatch(a -> plain.equals(a) || plain.startsWith(a + "/"))) {
                    problems.add("COPY source " + source + " is excluded by .dockerignore");
                }
            }
        }
        if (docker.user() == null || !docker.user().matches("[1-9]\\d*(:\\d+)?")) {
            problems.add("USER " + docker.user() + " is not a numeric non-root uid:gid");
        }
        return problems;
    }

    /** The paths .dockerignore lets through (it excludes everything, then re-includes with !). */
    private static List<String> dockerignoreExceptions() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve(".dockerignore"));
        assertThat(lines).as(".dockerignore starts by excluding everything").contains("*");
        return lines.stream().filter(l -> l.startsWith("!"))
                .map(l -> l.substring(1).replaceAll("/$", "")).toList();
    }

    /** The jar's manifest names {@code main}, the class is in it, and its Class-Path is in the image. */
    private static void assertMain(Map<String, Path> image, String jarInImage, String main) throws IOException {
        assertThat(image).as("the image has %s", jarInImage).containsKey(jarInImage);
        try (JarFile jar = new JarFile(image.get(jarInImage).toFile())) {
            Attributes manifest = jar.getManifest().getMainAttributes();
            assertThat(manifest.getValue(Attributes.Name.MAIN_CLASS)).isEqualTo(main);
            String folder = jarInImage.substring(0, jarInImage.lastIndexOf('/') + 1);
            String classPath = manifest.getValue(Attributes.Name.CLASS_PATH);
            if (!main.startsWith("io.quarkus")) {
                assertThat(jar.getEntry(main.replace('.', '/') + ".class")).as("%s in %s", main, jarInImage).isNotNull();
            }
            if (classPath != null) {
                for (String entry : classPath.trim().split("\\s+")) {
                    assertThat(image).as("Class-Path entry %s of %s", entry, jarInImage).containsKey(folder + entry);
                }
            }
        }
    }
}
