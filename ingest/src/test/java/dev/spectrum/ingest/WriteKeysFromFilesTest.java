package dev.spectrum.ingest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The service with SPECTRUM_WRITE_KEYS_DIR: keys from a mounted Secret, merged, rotated without a restart. */
@QuarkusTest
@WithTestResource(value = WriteKeysFromFilesTest.MountedKeys.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class WriteKeysFromFilesTest {

    static final String SECRET_KEY = "wk_secret_server_1";
    static final String ROTATED_KEY = "wk_secret_server_2";

    /** The usual database and environment keys, plus a folder with the key "server". */
    public static class MountedKeys extends IngestDatabase {
        static Path folder;

        @Override
        public Map<String, String> start() {
            var config = new HashMap<>(super.start());
            try {
                folder = WriteKeysTest.mountedSecret(Files.createTempDirectory("spectrum-write-keys"), "a", "server", SECRET_KEY + "\n");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            config.put("spectrum.write-keys-dir", folder.toString());
            config.put("spectrum.write-keys-reload-interval", "200ms");
            return config;
        }
    }

    static int send(String key, String eventId) {
        return given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"type\": \"signup\", \"user_id\": \"u1\", \"event_id\": \"" + eventId + "\"}")
                .post("/v1/events").then().extract().statusCode();
    }

    static String sourceOf(String eventId) throws Exception {
        return IngestDatabase.db().value("SELECT source FROM staging.raw_events WHERE event_id = '" + eventId + "'", String.class);
    }

    @Test
    void keysFromTheFolderAndTheEnvironmentBothWorkAndARotationNeedsNoRestart() throws Exception {
        String fromFile = UUID.randomUUID().toString();
        assertThat(send(SECRET_KEY, fromFile)).isEqualTo(202);
        assertThat(sourceOf(fromFile)).isEqualTo("server");
        String fromEnv = UUID.randomUUID().toString();
        assertThat(send(IngestDatabase.WEB_KEY, fromEnv)).isEqualTo(202);
        assertThat(sourceOf(fromEnv)).isEqualTo("web");

        // the Secret is rotated as the kubelet does it: a new data folder, ..data swapped to it
        WriteKeysTest.mountedSecret(MountedKeys.folder, "b", "server", ROTATED_KEY);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> send(SECRET_KEY, UUID.randomUUID().toString()) == 401);
        String rotated = UUID.randomUUID().toString();
        assertThat(send(ROTATED_KEY, rotated)).isEqualTo(202);
        assertThat(sourceOf(rotated)).isEqualTo("server");
        assertThat(send(IngestDatabase.WEB_KEY, UUID.randomUUID().toString())).isEqualTo(202);
    }
}
