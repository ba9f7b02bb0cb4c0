package dev.spectrum.ingest;

import dev.spectrum.sql.testing.TestDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A fresh, migrated database for one ingest test class, and a login that is a member of
 * {@code spectrum_ingest} only: the service under test runs with exactly the rights it has in
 * production. Write keys: {@code web} = {@value #WEB_KEY}, {@code mobile} = {@value #MOBILE_KEY}.
 */
public class IngestDatabase implements QuarkusTestResourceLifecycleManager {

    public static final String WEB_KEY = "wk_test_web_0123456789";
    public static final String MOBILE_KEY = "wk_test_mobile_9876543210";

    private static volatile TestDatabase current;
    private String login;

    /** The database of the running test class, for assertions (connects as the superuser). */
    public static TestDatabase db() {
        return current;
    }

    @Override
    public Map<String, String> start() {
        try {
            current = TestDatabase.migrated().create("ingest");
            login = TestDatabase.createLogin("spectrum_ingest");
        } catch (Exception e) {
            throw new IllegalStateException("could not prepare the test database", e);
        }
        return Map.of(
                "quarkus.datasource.jdbc.url", jdbcUrl(current),
                "quarkus.datasource.username", login,
                "quarkus.datasource.password", "",
                "spectrum.write-keys", "web=" + WEB_KEY + ",mobile=" + MOBILE_KEY);
    }

    /** The URL the service connects to (the outage test puts a proxy in between). */
    protected String jdbcUrl(TestDatabase database) {
        return database.url();
    }

    @Override
    public void stop() {
        try {
            if (current != null) {
                current.drop();
            }
            if (login != null) {
                TestDatabase.dropLogin(login);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not drop the test database", e);
        }
    }
}
