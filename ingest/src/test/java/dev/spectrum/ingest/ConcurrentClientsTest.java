package dev.spectrum.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Many clients at once: every acknowledged event is in the table, exactly once. */
@QuarkusTest
@WithTestResource(value = IngestDatabase.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ConcurrentClientsTest {

    @Test
    void parallelBatchesLoseNothing() throws Exception {
        int clients = 8;
        int batchesPerClient = 10;
        int eventsPerBatch = 200;
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://localhost:" + RestAssured.port + "/v1/events");
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Integer>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            results.add(pool.submit(() -> {
                int accepted = 0;
                for (int b = 0; b < batchesPerClient; b++) {
                    StringBuilder batch = new StringBuilder("[");
                    for (int e = 0; e < eventsPerBatch; e++) {
                        batch.append(e == 0 ? "" : ",").append("{\"type\":\"load\",\"user_id\":\"c").append(client)
                                .append("\",\"properties\":{\"batch\":").append(b).append(",\"n\":").append(e).append("}}");
                    }
                    var response = http.send(HttpRequest.newBuilder(uri)
                            .header("Authorization", "Bearer " + IngestDatabase.WEB_KEY)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(batch.append("]").toString())).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                    accepted += eventsPerBatch;
                }
                return accepted;
            }));
        }
        int acknowledged = 0;
        for (Future<Integer> f : results) {
            acknowledged += f.get();
        }
        pool.shutdown();

        assertThat(acknowledged).isEqualTo(clients * batchesPerClient * eventsPerBatch);
        assertThat(IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events WHERE event_type = 'load'"))
                .isEqualTo(acknowledged);
        assertThat(IngestDatabase.db().count("SELECT count(DISTINCT (user_id, properties)) FROM staging.raw_events"
                + " WHERE event_type = 'load'")).isEqualTo(acknowledged);
    }
}
