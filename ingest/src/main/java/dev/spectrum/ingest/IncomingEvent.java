package dev.spectrum.ingest;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One validated event, ready for {@code staging.raw_events}; JSON fields as compact JSON text. */
public record IncomingEvent(
        UUID eventId,
        String type,
        String accountId,
        String userId,
        String anonymousId,
        OffsetDateTime occurredAt,
        String propertiesJson,
        String contextJson) {
}
