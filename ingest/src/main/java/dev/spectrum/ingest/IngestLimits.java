package dev.spectrum.ingest;

import java.time.Duration;

/**
 * The limits of ingest-api.md and the Retry-After of its 503s, in one place: the native API, the
 * compatible APIs and the validator all read them from here.
 */
public final class IngestLimits {

    /** At most this many events per request (413 above). */
    public static final int MAX_EVENTS = 1000;
    /** At most this many bytes of body, before and after gzip decompression (413 above). */
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    /** {@code type}, {@code user_id}, {@code anonymous_id}, {@code account_id}: code points. */
    public static final int MAX_ID_LENGTH = 200;
    /** {@code properties} as compact UTF-8 JSON. */
    public static final int MAX_PROPERTIES_BYTES = 32 * 1024;
    /** A {@code timestamp} further ahead than this is invalid. */
    public static final Duration MAX_FUTURE = Duration.ofHours(24);
    /** The {@code Retry-After} of every 503, in seconds. */
    public static final int RETRY_AFTER_SECONDS = 2;

    /** The body limit as people say it, for messages. */
    public static final String MAX_BODY_TEXT = "1 MiB";

    private IngestLimits() {
    }
}
