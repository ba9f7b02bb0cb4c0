package dev.spectrum.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;

/** The Prometheus metrics of ingest-api.md, under /q/metrics. */
@ApplicationScoped
public class IngestMetrics {

    /** A write that may fail with SQLException. */
    @FunctionalInterface
    public interface Write {
        void run() throws SQLException;
    }

    private final MeterRegistry registry;
    private final Counter accepted;
    private final Timer requests;
    private final Timer writes;
    private final DistributionSummary batchSizes;

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.accepted = Counter.builder("spectrum.ingest.events.accepted").description("Events committed").register(registry);
        this.requests = Timer.builder("spectrum.ingest.request").description("Request latency of POST /v1/events")
                .publishPercentileHistogram().register(registry);
        this.writes = Timer.builder("spectrum.ingest.db.write").description("Time to COPY and commit one batch")
                .publishPercentileHistogram().register(registry);
        this.batchSizes = DistributionSummary.builder("spectrum.ingest.batch.size").description("Events per accepted batch")
                .serviceLevelObjectives(1, 10, 100, 500, 1000).register(registry);
    }

    public void accepted(int events) {
        accepted.increment(events);
    }

    /** A refused request, by its error code (events are not counted one by one when refused). */
    public void rejected(String reason) {
        Counter.builder("spectrum.ingest.requests.rejected").description("Requests refused, by error")
                .tag("reason", reason).register(registry).increment();
    }

    public void batch(int size) {
        batchSizes.record(size);
    }

    public Timer.Sample startRequest() {
        return Timer.start(registry);
    }

    public void stopRequest(Timer.Sample sample) {
        sample.stop(requests);
    }

    public void timeWrite(Write write) throws SQLException {
        Timer.Sample sample = Timer.start(registry);
        try {
            write.run();
        } finally {
            sample.stop(writes);
        }
    }
}
