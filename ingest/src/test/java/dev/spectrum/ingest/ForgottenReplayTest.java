package dev.spectrum.ingest;

import static dev.spectrum.ingest.Requests.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * data-model.md, Data lifecycle: after warehouse.forget_person, a client that replays the
 * forgotten person's events through HTTP gets them accepted (ingest does not know who was
 * forgotten), and the pipeline skips them as duplicates; a new event of the same user is new data.
 */
@QuarkusTest
@WithTestResource(value = IngestDatabase.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ForgottenReplayTest {

    static final String SIGNUP = """
            {"type": "signup", "user_id": "gdpr-user", "anonymous_id": "gdpr-device",
             "event_id": "7c1d2e3f-0000-4000-8000-00000000f001", "timestamp": "2026-11-20T10:00:00Z"}
            """;
    static final String BROWSE = """
            {"type": "page", "anonymous_id": "gdpr-device",
             "event_id": "7c1d2e3f-0000-4000-8000-00000000f002", "timestamp": "2026-11-20T09:00:00Z"}
            """;

    @Test
    void aReplayedForgottenEventIsSkippedAndANewOneIsLoaded() throws Exception {
        var db = IngestDatabase.db();
        send("[" + SIGNUP + "," + BROWSE + "]").statusCode(202).body("accepted", equalTo(2));
        db.runPipeline();
        assertThat(db.count("SELECT count(*) FROM warehouse.event_stream WHERE person = 'gdpr-user'")).isEqualTo(2);

        assertThat(db.rows("CALL warehouse.forget_person('gdpr-user')").get(0).subList(0, 3))
                .containsExactly("forgotten", "2", "2");

        // the client retries the whole batch, and sends something new
        send("[" + SIGNUP + "," + BROWSE + "]").statusCode(202).body("accepted", equalTo(2));
        send("""
                {"type": "page", "user_id": "gdpr-user", "event_id": "7c1d2e3f-0000-4000-8000-00000000f003",
                 "timestamp": "2026-11-25T10:00:00Z"}
                """).statusCode(202);
        db.runPipeline();

        assertThat(db.rows("SELECT events_loaded, duplicates_skipped FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT 1"))
                .containsExactly(List.of("1", "2"));
        assertThat(db.rows("SELECT event_id::text, person FROM warehouse.event_stream"))
                .containsExactly(List.of("7c1d2e3f-0000-4000-8000-00000000f003", "gdpr-user"));
        // the device was forgotten with the user: no link came back with the duplicates
        assertThat(db.count("SELECT count(*) FROM warehouse.identity_links")).isZero();
        assertThat(db.count("SELECT count(*) FROM warehouse.dim_users WHERE distinct_id = 'gdpr-device'")).isZero();
    }
}
