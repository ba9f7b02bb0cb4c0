package dev.spectrum.ingest;

import static dev.spectrum.ingest.Requests.event;
import static dev.spectrum.ingest.Requests.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The two defects the fault suite found (issue 16, ingest-api.md's 503 rules), each cut at the
 * network between the service and PostgreSQL: pooled connections that died with a server restart,
 * and a connection that broke while the commit was on its way.
 */
@QuarkusTest
@WithTestResource(value = DatabaseOutageTest.ProxiedDatabase.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ConnectionFaultsTest {

    @Test
    void afterARestartNoDeadPooledConnectionIsHandedOut() throws Exception {
        // several pooled connections, all idle, as under load
        var pool = Executors.newFixedThreadPool(6);
        List<Callable<Integer>> warm = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            warm.add(() -> send(event("")).extract().statusCode());
        }
        for (var f : pool.invokeAll(warm)) {
            assertThat(f.get()).isEqualTo(202);
        }
        pool.shutdown();
        long pooled = IngestDatabase.db().count("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'spectrum-ingest'"
                + " AND datname = current_database()");
        assertThat(pooled).isGreaterThan(1);

        // an immediate restart: every connection drops, and the server accepts new ones at once
        DatabaseOutageTest.ProxiedDatabase.proxy.stop();
        DatabaseOutageTest.ProxiedDatabase.proxy.start();

        // the very first request after the server is back is accepted, and so is every one after it
        // (before the fix, each request was handed one of the dead connections until the pool's
        // background validation found them: 503s for up to 10 s)
        for (int i = 0; i < 8; i++) {
            String id = UUID.randomUUID().toString();
            send(event("\"event_id\": \"" + id + "\"")).statusCode(202);
            assertThat(IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events WHERE event_id = '" + id + "'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aConnectionBrokenDuringTheCommitSaysTheOutcomeIsUnknown() throws Exception {
        send(event("")).statusCode(202);
        String id = UUID.randomUUID().toString();

        DatabaseOutageTest.ProxiedDatabase.proxy.cutAtNextCommit();
        send(event("\"event_id\": \"" + id + "\"")).statusCode(503)
                .header("Retry-After", equalTo(String.valueOf(IngestLimits.RETRY_AFTER_SECONDS)))
                .body("error", equalTo("unavailable"))
                .body("message", containsString("outcome is unknown"))
                .body("message", containsString("may have been stored"))
                .body("message", not(containsString("nothing was committed")));
        // it was indeed stored: the commit reached the server, only its answer was lost
        assertThat(IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events WHERE event_id = '" + id + "'"))
                .isEqualTo(1);

        // the client retries with the same id, as the message says: accepted, and staged twice at
        // most, which the pipeline's dedup counts once (DeduplicationTest)
        send(event("\"event_id\": \"" + id + "\"")).statusCode(202);
    }

    @Test
    void aFailureBeforeTheCommitSaysNothingWasCommitted() throws Exception {
        String id = UUID.randomUUID().toString();
        DatabaseOutageTest.ProxiedDatabase.proxy.stop();
        try {
            send(event("\"event_id\": \"" + id + "\"")).statusCode(503)
                    .body("message", containsString("nothing was committed"))
                    .body("message", not(containsString("outcome is unknown")));
        } finally {
            DatabaseOutageTest.ProxiedDatabase.proxy.start();
        }
        assertThat(IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events WHERE event_id = '" + id + "'"))
                .isZero();
    }
}
