package dev.spectrum.ingest;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Writes a batch to {@code staging.raw_events} with one {@code COPY} in one transaction: all or
 * nothing, committed before the caller answers. Every value travels as COPY data, never as SQL.
 */
@ApplicationScoped
public class RawEventWriter {

    static final String COPY = "COPY staging.raw_events (event_id, event_type, account_id, user_id, anonymous_id,"
            + " occurred_at, received_at, properties, context, source) FROM STDIN";

    private final AgroalDataSource dataSource;

    public RawEventWriter(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Writes rows made by {@link #copyData} and commits; throws when anything could not be committed. */
    public void write(String data) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new StringReader(data));
                connection.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone: nothing was committed either way
                }
                throw e instanceof SQLException sql ? sql : new SQLException("COPY failed: " + e.getMessage(), "08006", e);
            }
        }
    }

    /** The rows in COPY's text format. */
    public static String copyData(List<IncomingEvent> events, String source, OffsetDateTime receivedAt) {
        var out = new StringBuilder(events.size() * 256);
        String received = receivedAt.toString();
        for (IncomingEvent e : events) {
            field(out, e.eventId().toString()).append('\t');
            field(out, e.type()).append('\t');
            field(out, e.accountId()).append('\t');
            field(out, e.userId()).append('\t');
            field(out, e.anonymousId()).append('\t');
            field(out, e.occurredAt() == null ? received : e.occurredAt().toString()).append('\t');
            field(out, received).append('\t');
            field(out, e.propertiesJson()).append('\t');
            field(out, e.contextJson()).append('\t');
            field(out, source).append('\n');
        }
        return out.toString();
    }

    /** One value in COPY text format: \N for null; backslash, tab, newline and CR escaped. */
    static StringBuilder field(StringBuilder out, String value) {
        if (value == null) {
            return out.append("\\N");
        }
        int plainFrom = 0;
        for (int i = 0; i < value.length(); i++) {
            String escaped = switch (value.charAt(i)) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> null;
            };
            if (escaped != null) {
                out.append(value, plainFrom, i).append(escaped);
                plainFrom = i + 1;
            }
        }
        return plainFrom == 0 ? out.append(value) : out.append(value, plainFrom, value.length());
    }
}
