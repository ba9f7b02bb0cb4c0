package dev.spectrum.cli;

import java.util.Map;

/**
 * The logins {@code serve} uses (deploy.md): the ingest child logs in as the ingest login and the
 * pipeline as the pipeline login when their passwords are set ({@code SPECTRUM_INGEST_PASSWORD},
 * {@code SPECTRUM_PIPELINE_PASSWORD}; names {@code SPECTRUM_INGEST_USER} /
 * {@code SPECTRUM_PIPELINE_USER}, by default the names {@code migrate} creates); otherwise both use
 * {@code SPECTRUM_DB_USER}, as on a laptop.
 */
final class ServeLogins {

    static final String INGEST_LOGIN = "spectrum_ingest_login";
    static final String PIPELINE_LOGIN = "spectrum_pipeline_login";
    static final String READER_LOGIN = "spectrum_reader_login";

    private ServeLogins() {
    }

    static DatabaseSettings ingest(Map<String, String> env, DatabaseSettings owner) {
        return login(env, owner, "INGEST", INGEST_LOGIN);
    }

    static DatabaseSettings pipeline(Map<String, String> env, DatabaseSettings owner) {
        return login(env, owner, "PIPELINE", PIPELINE_LOGIN);
    }

    private static DatabaseSettings login(Map<String, String> env, DatabaseSettings owner, String component, String defaultName) {
        String password = env.get("SPECTRUM_" + component + "_PASSWORD");
        if (password == null || password.isEmpty()) {
            return owner;
        }
        String user = env.getOrDefault("SPECTRUM_" + component + "_USER", defaultName);
        return new DatabaseSettings(owner.url(), user, password, false);
    }
}
