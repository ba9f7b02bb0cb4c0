package dev.spectrum.sql.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Builds one {@code staging.raw_events} row the way the ingest service writes it, for tests:
 * {@code RawEvent.of("signup").user("u1").at("2026-01-05T10:00:00Z").insertInto(db)}.
 */
public final class RawEvent {

    private UUID eventId = UUID.randomUUID();
    private final String type;
    private String userId;
    private String anonymousId;
    private String accountId;
    private OffsetDateTime occurredAt = OffsetDateTime.parse("2026-01-05T10:00:00Z");
    private String properties = "{}";
    private String context = "{}";
    private OffsetDateTime receivedAt;

    private RawEvent(String type) {
        this.type = type;
    }

    public static RawEvent of(String type) {
        return new RawEvent(type);
    }

    public RawEvent id(String uuid) {
        this.eventId = UUID.fromString(uuid);
        return this;
    }

    public RawEvent id(UUID uuid) {
        this.eventId = uuid;
        return this;
    }

    public RawEvent user(String userId) {
        this.userId = userId;
        return this;
    }

    public RawEvent anon(String anonymousId) {
        this.anonymousId = anonymousId;
        return this;
    }

    public RawEvent account(String accountId) {
        this.accountId = accountId;
        return this;
    }

    public RawEvent at(String rfc3339) {
        this.occurredAt = OffsetDateTime.parse(rfc3339);
        return this;
    }

    public RawEvent at(OffsetDateTime time) {
        this.occurredAt = time;
        return this;
    }

    /** When the server accepted it (default: now), for backdated rows in retention tests. */
    public RawEvent receivedAt(OffsetDateTime time) {
        this.receivedAt = time;
        return this;
    }

    public RawEvent properties(String json) {
        this.properties = json;
        return this;
    }

    public RawEvent context(String json) {
        this.context = json;
        return this;
    }

    public UUID eventId() {
        return eventId;
    }

    /** Inserts the row in its own transaction. */
    public RawEvent insertInto(TestDatabase db) throws SQLException {
        try (Connection c = db.connect()) {
            insertWith(c);
        }
        return this;
    }

    /** Inserts the row on the given connection (in whatever transaction it has open). */
    public RawEvent insertWith(Connection c) throws SQLException {
        try (var insert = c.prepareStatement(
                "INSERT INTO staging.raw_events (event_id, event_type, account_id, user_id, anonymous_id,"
                        + " occurred_at, properties, context, source, received_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, 'test', coalesce(?, now()))")) {
            insert.setObject(1, eventId);
            insert.setString(2, type);
            setText(insert, 3, accountId);
            setText(insert, 4, userId);
            setText(insert, 5, anonymousId);
            insert.setObject(6, occurredAt);
            insert.setString(7, properties);
            insert.setString(8, context);
            insert.setObject(9, receivedAt, Types.TIMESTAMP_WITH_TIMEZONE);
            insert.executeUpdate();
        }
        return this;
    }

    private static void setText(java.sql.PreparedStatement st, int index, String value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.VARCHAR);
        } else {
            st.setString(index, value);
        }
    }
}
