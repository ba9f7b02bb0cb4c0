package dev.spectrum.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Where every API's validated events go: one COPY in one transaction, at most N at once (more
 * wait up to the saturation wait, then get 503). Returns only after the commit.
 */
@ApplicationScoped
public class EventSink {

    private static final Logger LOG = Logger.getLogger(EventSink.class);

    /** The 503 message when the failure came before the commit was sent. */
    static final String NOT_COMMITTED = "the database did not take the events; nothing was committed."
            + " Retry with the same event_ids after Retry-After seconds";
    /** The 503 message when the connection broke while the commit was on its way. */
    static final String OUTCOME_UNKNOWN = "the connection to the database broke during the commit: the outcome is"
            + " unknown and the events may have been stored. Retry with the same event_ids after Retry-After seconds;"
            + " each event is counted once";

    private final RawEventWriter writer;
    private final IngestMetrics metrics;
    private final Semaphore writeSlots;
    private final long saturationWaitMillis;

    public EventSink(IngestSettings settings, RawEventWriter writer, IngestMetrics metrics) {
        this.writer = writer;
        this.metrics = metrics;
        this.writeSlots = new Semaphore(settings.maxConcurrentWrites(), true);
        this.saturationWaitMillis = settings.saturationWait().toMillis();
    }

    /** Commits the events with their source (the write key's name), or throws a 503 ApiException. */
    public void commit(List<IncomingEvent> events, String source) {
        RawEventWriter.CopyRows rows = RawEventWriter.copyData(events, source, OffsetDateTime.now(ZoneOffset.UTC));
        boolean slot;
        try {
            slot = writeSlots.tryAcquire(saturationWaitMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("the service is shutting down; retry with the same event_ids");
        }
        if (!slot) {
            throw ApiException.unavailable("the service is saturated; retry with the same event_ids after Retry-After seconds");
        }
        try {
            metrics.timeWrite(() -> writer.write(rows));
            metrics.batch(events.size());
            metrics.accepted(events.size());
        } catch (WriteFailure e) {
            LOG.warnf("could not write %d events to PostgreSQL (SQLState %s%s): %s", events.size(), e.getSQLState(),
                    e.outcomeUnknown() ? ", outcome unknown" : "",
                    e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse(""));
            throw ApiException.unavailable(e.outcomeUnknown() ? OUTCOME_UNKNOWN : NOT_COMMITTED);
        } catch (SQLException e) {
            throw new IllegalStateException("the writer reports failures as WriteFailure", e);
        } finally {
            writeSlots.release();
        }
    }
}
