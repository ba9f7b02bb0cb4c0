package dev.spectrum.ingest;

import java.sql.SQLException;

/**
 * A batch that could not be committed, and whether its outcome is known: when the connection
 * broke while the commit was on its way, PostgreSQL may have committed it before the answer was
 * lost ({@link #outcomeUnknown()}); every other failure happened before the commit was sent, so
 * nothing of the batch was stored.
 */
public class WriteFailure extends SQLException {

    private final boolean onPooledConnection;
    private final boolean outcomeUnknown;

    WriteFailure(SQLException cause, boolean onPooledConnection, boolean outcomeUnknown) {
        super(cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), cause);
        this.onPooledConnection = onPooledConnection;
        this.outcomeUnknown = outcomeUnknown;
    }

    /** The failure came while using a connection the pool handed out (not while getting one). */
    boolean onPooledConnection() {
        return onPooledConnection;
    }

    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }

    /**
     * The connection is gone (SQLState class 08, or the server shutting down / starting up):
     * any other pooled connection to the same server is likely gone too.
     */
    static boolean connectionLost(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }

    /** The server did not answer within the socket timeout (it may be hung, not gone). */
    static boolean timedOut(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
