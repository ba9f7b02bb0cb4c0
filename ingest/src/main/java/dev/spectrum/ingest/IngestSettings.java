package dev.spectrum.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The service's own settings (application.properties maps the SPECTRUM_* variables to them). */
@ApplicationScoped
public class IngestSettings {

    private final WriteKeys writeKeys;
    private final int maxConcurrentWrites;
    private final Duration saturationWait;

    public IngestSettings(@ConfigProperty(name = "spectrum.write-keys") Optional<String> writeKeys,
                          @ConfigProperty(name = "spectrum.ingest.max-concurrent-writes", defaultValue = "16") int maxConcurrentWrites,
                          @ConfigProperty(name = "spectrum.ingest.saturation-wait", defaultValue = "2s") Duration saturationWait) {
        this.writeKeys = WriteKeys.parse(writeKeys.orElse(""));
        this.maxConcurrentWrites = maxConcurrentWrites;
        this.saturationWait = saturationWait;
    }

    public WriteKeys writeKeys() {
        return writeKeys;
    }

    public int maxConcurrentWrites() {
        return maxConcurrentWrites;
    }

    public Duration saturationWait() {
        return saturationWait;
    }
}
