package dev.spectrum.ingest;

import static dev.spectrum.ingest.Requests.rows;
import static dev.spectrum.ingest.Requests.withKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Every write slot busy (issue 16, fault 7): the next request waits the saturation wait, then
 * gets 503 with Retry-After, and nothing of it is written; the busy ones complete whole.
 */
@QuarkusTest
@WithTestResource(value = SaturationTest.TwoSlots.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class SaturationTest {

    /** Two write slots, a short saturation wait. */
    public static class TwoSlots extends IngestDatabase {
        @Override
        public Map<String, String> start() {
            var config = new HashMap<>(super.start());
            config.put("spectrum.ingest.max-concurrent-writes", "2");
            config.put("spectrum.ingest.saturation-wait", "300ms");
            return config;
        }
    }

    static String batch(String prefix, int events) {
        return IntStream.range(0, events)
                .mapToObj(i -> "{\"type\": \"" + prefix + "\", \"user_id\": \"u" + i + "\", \"event_id\": \"" + UUID.randomUUID() + "\"}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    static int post(String json) {
        return withKey(IngestDatabase.WEB_KEY).body(json).when().post("/v1/events").then().extract().statusCode();
    }

    @Test
    void withEveryWriteSlotBusyTheNextRequestGets503AndNothingOfItIsWritten() throws Exception {
        long before = rows();
        List<CompletableFuture<Integer>> busy;
        try (Connection blocker = IngestDatabase.db().connect()) {
            // hold the two slots: their COPYs wait for this lock
            blocker.setAutoCommit(false);
            blocker.createStatement().execute("LOCK TABLE staging.raw_events IN ACCESS EXCLUSIVE MODE");
            busy = List.of(CompletableFuture.supplyAsync(() -> post(batch("busy", 50))),
                    CompletableFuture.supplyAsync(() -> post(batch("busy", 50))));
            await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> IngestDatabase.db().count(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'spectrum-ingest'"
                            + " AND datname = current_database() AND wait_event_type = 'Lock'") == 2);

            long started = System.nanoTime();
            withKey(IngestDatabase.WEB_KEY).body(batch("refused", 50)).when().post("/v1/events").then()
                    .statusCode(503)
                    .header("Retry-After", equalTo(String.valueOf(IngestLimits.RETRY_AFTER_SECONDS)))
                    .body("error", equalTo("unavailable"))
                    .body("message", containsString("saturated"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(2));
            blocker.rollback();
        }
        // the two that held the slots complete, each whole; the refused one left nothing
        assertThat(busy.get(0).get()).isEqualTo(202);
        assertThat(busy.get(1).get()).isEqualTo(202);
        assertThat(rows()).isEqualTo(before + 100);
        assertThat(IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events WHERE event_type = 'refused'")).isZero();

        // the slots are free again: the refused batch, retried, is accepted
        assertThat(post(batch("refused", 50))).isEqualTo(202);
        assertThat(IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events WHERE event_type = 'refused'")).isEqualTo(50);
    }
}
