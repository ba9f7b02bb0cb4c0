package dev.spectrum.operator.spectrum.model;

/**
 * Where a Spectrum's database is, as its pods reach it (in-cluster names): the keys every login
 * Secret carries besides username and password. No secret in it.
 */
public record Connection(String host, int port, String database, String sslmode) {

    public Connection {
        sslmode = sslmode == null || sslmode.isBlank() ? "prefer" : sslmode;
    }
}
