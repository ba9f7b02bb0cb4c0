package dev.spectrum.ingest;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The service's own settings (application.properties maps the SPECTRUM_* variables to them).
 * Made at start, so a malformed write key setting stops the service with its message.
 */
@Startup
@ApplicationScoped
public class IngestSettings {

    private static final Logger LOG = Logger.getLogger(IngestSettings.class);

    private final WriteKeys writeKeys;
    private final int maxConcurrentWrites;
    private final Duration saturationWait;
    private final ScheduledExecutorService keyReloader;

    public IngestSettings(@ConfigProperty(name = "spectrum.write-keys") Optional<String> writeKeys,
                          @ConfigProperty(name = "spectrum.write-keys-dir") Optional<String> writeKeysDir,
                          @ConfigProperty(name = "spectrum.write-keys-reload-interval", defaultValue = "10s") Duration reloadInterval,
                          @ConfigProperty(name = "spectrum.ingest.max-concurrent-writes", defaultValue = "16") int maxConcurrentWrites,
                          @ConfigProperty(name = "spectrum.ingest.saturation-wait", defaultValue = "2s") Duration saturationWait) {
        Path folder = writeKeysDir.filter(d -> !d.isBlank()).map(Path::of).orElse(null);
        this.writeKeys = WriteKeys.load(writeKeys.orElse(""), folder);
        this.maxConcurrentWrites = maxConcurrentWrites;
        this.saturationWait = saturationWait;
        if (folder == null) {
            this.keyReloader = null;
        } else {
            LOG.infof("write keys: %s (the folder %s is read again every %s)", writeKeys().names(), folder, reloadInterval);
            this.keyReloader = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "spectrum-write-keys-reload");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(100, reloadInterval.toMillis());
            keyReloader.scheduleWithFixedDelay(this::reloadKeys, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void reloadKeys() {
        try {
            if (writeKeys.reload()) {
                LOG.infof("write keys reloaded from SPECTRUM_WRITE_KEYS_DIR: %s", writeKeys.names());
            }
        } catch (RuntimeException e) {
            // the message names files and the folder, never a key
            LOG.warnf("write keys not reloaded, the previous ones stay in use: %s", e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        if (keyReloader != null) {
            keyReloader.shutdownNow();
        }
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
