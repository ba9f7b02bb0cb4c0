package dev.spectrum.ingest;

import static dev.spectrum.ingest.Requests.event;
import static dev.spectrum.ingest.Requests.rows;
import static dev.spectrum.ingest.Requests.send;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.spectrum.sql.testing.TcpProxy;
import dev.spectrum.sql.testing.TestDatabase;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** PostgreSQL goes away: 503 with Retry-After within 5 s, nothing committed; it comes back: 202 again. */
@QuarkusTest
@WithTestResource(value = DatabaseOutageTest.ProxiedDatabase.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class DatabaseOutageTest {

    /** The test database behind a proxy the test can switch off. */
    public static class ProxiedDatabase extends IngestDatabase {
        static volatile TcpProxy proxy;

        @Override
        protected String jdbcUrl(TestDatabase database) {
            URI server = URI.create(database.url().substring("jdbc:".length()));
            try {
                proxy = new TcpProxy(server.getPort() < 0 ? 5432 : server.getPort());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            // prepareThreshold=0: every statement travels as text, so that the proxy can tell a
            // COMMIT (ConnectionFaultsTest) instead of a server-side prepared statement's name
            return "jdbc:postgresql://127.0.0.1:" + proxy.port() + server.getPath() + "?prepareThreshold=0";
        }

        @Override
        public void stop() {
            proxy.close();
            super.stop();
        }
    }

    @Test
    void anOutageGives503QuicklyAndTheServiceRecoversByItself() throws Exception {
        String id = "bbbbbbbb-0000-4000-8000-000000000001";
        send(event("")).statusCode(202);
        long before = rows();

        ProxiedDatabase.proxy.stop();
        long started = System.nanoTime();
        send(event("\"event_id\": \"" + id + "\"")).statusCode(503)
                .header("Retry-After", notNullValue())
                .body("error", equalTo("unavailable"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        given().get("/q/health/ready").then().statusCode(503);
        given().get("/q/health/live").then().statusCode(200);

        ProxiedDatabase.proxy.start();
        // the same event_id again, as a client retrying: accepted once the database answers
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> send(event("\"event_id\": \"" + id + "\"")).extract().statusCode() == 202);
        given().get("/q/health/ready").then().statusCode(200);
        assertThat(IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events WHERE event_id = '" + id + "'"))
                .isEqualTo(1);
        assertThat(rows()).isEqualTo(before + 1);
    }
}
