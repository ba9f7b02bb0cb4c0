package dev.spectrum.ingest;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes a batch to {@code staging.raw_events} with one {@code COPY} in one transaction: all or
 * nothing, committed before the caller answers. Every value travels as COPY data, never as SQL.
 */
@ApplicationScoped
public class RawEventWriter {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RawEventWriter.class);

    static final String COPY = "COPY staging.raw_events (event_id, event_type, account_id, user_id, anonymous_id,"
            + " occurred_at, received_at, properties, context, source) FROM STDIN";

    private final AgroalDataSource dataSource;

    public RawEventWriter(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Writes rows made by {@link #copyData} and commits; throws when anything could not be
     * committed, saying whether the outcome is unknown (the connection broke during the commit).
     *
     * <p>A pooled connection found dead (the server restarted since it was pooled) makes every
     * idle pooled connection suspect: they are all dropped at once, so that no later request is
     * handed one, and this batch is tried again on another connection, which is safe because the
     * failure came before the commit was sent. A dead connection fails at once; the retries stop
     * after {@value #DEAD_CONNECTION_BUDGET_MILLIS} ms (the 503 stays within 5 s), or as soon as a
     * failure is anything else (no connection to be had, a server that does not answer in time,
     * a commit whose fate is unknown).
     */
    public void write(CopyRows data) throws WriteFailure {
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                writeOnce(data);
                return;
            } catch (WriteFailure failure) {
                if (!WriteFailure.connectionLost(failure)) {
                    throw failure;
                }
                if (failure.onPooledConnection()) {
                    dataSource.flush(AgroalDataSource.FlushMode.GRACEFUL);
                }
                boolean deadPooledConnection = failure.onPooledConnection() && !failure.outcomeUnknown()
                        && !WriteFailure.timedOut(failure)
                        && System.nanoTime() - started < DEAD_CONNECTION_BUDGET_MILLIS * 1_000_000L;
                if (!deadPooledConnection || attempt > MAX_DEAD_CONNECTION_ATTEMPTS) {
                    throw failure;
                }
                LOG.debugf("a pooled connection was dead (SQLState %s, attempt %d after %d ms); trying another",
                        failure.getSQLState(), attempt, (System.nanoTime() - started) / 1_000_000);
            }
        }
    }

    static final long DEAD_CONNECTION_BUDGET_MILLIS = 1500;
    /** quarkus.datasource.jdbc.max-size: at most this many dead connections can be pooled. */
    private static final int MAX_POOL_SIZE = 16;
    /**
     * Each pooled connection can fail a batch at most twice: once found dead, and once closed
     * under it by the pool's flush, which runs on the pool's own thread after this one asked for
     * it (so the next attempts may still be handed connections it is about to close). The time
     * budget above is what bounds the retries; this only keeps them from spinning. (With the
     * pool's size as the limit, one CI run of ConnectionFaultsTest answered 503 to the first
     * request after a restart, a plain connection failure: consistent with the attempts running
     * out first, though that run had no debug log to show it.)
     */
    static final int MAX_DEAD_CONNECTION_ATTEMPTS = 2 * MAX_POOL_SIZE;

    private void writeOnce(CopyRows data) throws WriteFailure {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            // no connection to be had (pool exhausted, server away or full): nothing was committed
            throw new WriteFailure(e, false, false);
        }
        try (connection) {
            connection.setAutoCommit(false);
            try {
                CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
                try {
                    copy.writeToCopy(data.bytes(), 0, data.length());
                    copy.endCopy();
                } finally {
                    if (copy.isActive()) {
                        copy.cancelCopy();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw new WriteFailure(asSql(e), true, false);
            }
            try {
                connection.commit();
            } catch (SQLException e) {
                // The server refused the commit (it answered): nothing was committed. The
                // connection broke instead: the commit may have reached the server and been applied.
                rollbackQuietly(connection);
                throw new WriteFailure(e, true, WriteFailure.connectionLost(e));
            }
        } catch (WriteFailure e) {
            throw e;
        } catch (SQLException e) {
            // setAutoCommit or close failed: the connection is gone before anything was sent
            throw new WriteFailure(e, true, false);
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the pool drops it
        }
    }

    private static SQLException asSql(Exception e) {
        return e instanceof SQLException sql ? sql : new SQLException("COPY failed: " + e.getMessage(), "08006", e);
    }

    /** The rows in COPY's text format, as the UTF-8 bytes sent to the server. */
    public static CopyRows copyData(List<IncomingEvent> events, String source, OffsetDateTime receivedAt) {
        var out = new CopyRows(events.size() * 400);
        for (IncomingEvent e : events) {
            out.uuid(e.eventId()).tab()
                    .field(e.type()).tab()
                    .field(e.accountId()).tab()
                    .field(e.userId()).tab()
                    .field(e.anonymousId()).tab()
                    .time(e.occurredAt() == null ? receivedAt : e.occurredAt()).tab()
                    .time(receivedAt).tab()
                    .field(e.propertiesJson()).tab()
                    .field(e.contextJson()).tab()
                    .field(source).newline();
        }
        return out;
    }

    /**
     * COPY text rows, encoded as they are written: one value is \N for null, with backslash,
     * tab, newline and carriage return escaped, and everything else in UTF-8 (an unpaired
     * surrogate, which validation refuses, would become '?', as {@code String.getBytes} does).
     */
    public static final class CopyRows {
        private byte[] bytes;
        private int length;

        CopyRows(int capacity) {
            bytes = new byte[Math.max(capacity, 64)];
        }

        CopyRows field(String value) {
            if (value == null) {
                room(2);
                bytes[length++] = '\\';
                bytes[length++] = 'N';
                return this;
            }
            int n = value.length();
            room(3 * n); // the most one char takes: 3 bytes of UTF-8, or 2 of an escape
            byte[] b = bytes;
            int at = length;
            for (int i = 0; i < n; i++) {
                char c = value.charAt(i);
                if (c < 0x80) {
                    switch (c) {
                        case '\\' -> {
                            b[at++] = '\\';
                            b[at++] = '\\';
                        }
                        case '\t' -> {
                            b[at++] = '\\';
                            b[at++] = 't';
                        }
                        case '\n' -> {
                            b[at++] = '\\';
                            b[at++] = 'n';
                        }
                        case '\r' -> {
                            b[at++] = '\\';
                            b[at++] = 'r';
                        }
                        default -> b[at++] = (byte) c;
                    }
                } else if (c < 0x800) {
                    b[at++] = (byte) (0xC0 | c >> 6);
                    b[at++] = (byte) (0x80 | c & 0x3F);
                } else if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                        int cp = Character.toCodePoint(c, value.charAt(++i));
                        b[at++] = (byte) (0xF0 | cp >> 18);
                        b[at++] = (byte) (0x80 | cp >> 12 & 0x3F);
                        b[at++] = (byte) (0x80 | cp >> 6 & 0x3F);
                        b[at++] = (byte) (0x80 | cp & 0x3F);
                    } else {
                        b[at++] = '?';
                    }
                } else {
                    b[at++] = (byte) (0xE0 | c >> 12);
                    b[at++] = (byte) (0x80 | c >> 6 & 0x3F);
                    b[at++] = (byte) (0x80 | c & 0x3F);
                }
            }
            length = at;
            return this;
        }

        private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        /** A UUID in its canonical lower-case text form. */
        CopyRows uuid(java.util.UUID id) {
            room(36);
            hex(id.getMostSignificantBits() >>> 32, 8).dash().hex(id.getMostSignificantBits() >>> 16, 4).dash()
                    .hex(id.getMostSignificantBits(), 4).dash().hex(id.getLeastSignificantBits() >>> 48, 4).dash()
                    .hex(id.getLeastSignificantBits(), 12);
            return this;
        }

        private CopyRows hex(long bits, int digits) {
            for (int i = digits - 1; i >= 0; i--) {
                bytes[length + i] = HEX[(int) (bits & 0xF)];
                bits >>>= 4;
            }
            length += digits;
            return this;
        }

        private CopyRows dash() {
            bytes[length++] = '-';
            return this;
        }

        /**
         * A time as ISO 8601 with its offset, which PostgreSQL reads exactly:
         * {@code 2026-11-26T10:15:30.25+01:00}, seconds always, the fraction without trailing
         * zeros (PostgreSQL rounds it to microseconds, as it does any text form).
         */
        CopyRows time(OffsetDateTime time) {
            int offsetSeconds = time.getOffset().getTotalSeconds();
            if (time.getYear() < 0 || time.getYear() > 9999 || offsetSeconds % 60 != 0) {
                return field(time.toString()); // not a form this writes; java.time's is exact too
            }
            room(35);
            digits(time.getYear(), 4).put('-').digits(time.getMonthValue(), 2).put('-').digits(time.getDayOfMonth(), 2)
                    .put('T').digits(time.getHour(), 2).put(':').digits(time.getMinute(), 2).put(':')
                    .digits(time.getSecond(), 2);
            int nanos = time.getNano();
            if (nanos != 0) {
                int places = 9;
                while (nanos % 10 == 0) {
                    nanos /= 10;
                    places--;
                }
                put('.').digits(nanos, places);
            }
            if (offsetSeconds == 0) {
                return put('Z');
            }
            int minutes = Math.abs(offsetSeconds) / 60;
            return put(offsetSeconds < 0 ? '-' : '+').digits(minutes / 60, 2).put(':').digits(minutes % 60, 2);
        }

        private CopyRows digits(int value, int places) {
            for (int i = places - 1; i >= 0; i--) {
                bytes[length + i] = (byte) ('0' + value % 10);
                value /= 10;
            }
            length += places;
            return this;
        }

        private CopyRows put(char c) {
            bytes[length++] = (byte) c;
            return this;
        }

        CopyRows tab() {
            room(1);
            bytes[length++] = '\t';
            return this;
        }

        CopyRows newline() {
            room(1);
            bytes[length++] = '\n';
            return this;
        }

        private void room(int more) {
            if (length + more > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }

        public byte[] bytes() {
            return bytes;
        }

        public int length() {
            return length;
        }

        /** The rows as text, for tests and logs of tests. */
        @Override
        public String toString() {
            return new String(bytes, 0, length, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
