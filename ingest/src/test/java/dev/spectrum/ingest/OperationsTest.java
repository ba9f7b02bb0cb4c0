package dev.spectrum.ingest;

import static dev.spectrum.ingest.Requests.event;
import static dev.spectrum.ingest.Requests.send;
import static dev.spectrum.ingest.Requests.withKey;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Health, Prometheus metrics and the OpenAPI document. */
@QuarkusTest
@WithTestResource(value = IngestDatabase.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class OperationsTest {

    @Test
    void healthIsUpWhilePostgresqlAnswers() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsCountAcceptedAndRejectedEvents() {
        send("[" + event("") + "," + event("") + "," + event("") + "]").statusCode(202);
        withKey("wrong").body(event("")).post("/v1/events").then().statusCode(401);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("spectrum_ingest_events_accepted_total 3.0"))
                .body(containsString("spectrum_ingest_requests_rejected_total{reason=\"unauthorized\"} 1.0"))
                .body(containsString("spectrum_ingest_request_seconds_bucket"))
                .body(containsString("spectrum_ingest_batch_size_count"))
                .body(containsString("spectrum_ingest_db_write_seconds_count"));
    }

    @Test
    void theOpenApiDocumentDescribesTheNativeApi() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/v1/events'.post.responses.'202'.description", equalTo("All events committed"))
                .body("paths.'/v1/events'.post.responses.'413'.description", containsString("payload_too_large"));
    }

    @Test
    void errorsNeverCarryAStackTrace() {
        withKey(IngestDatabase.WEB_KEY).body("{\"type\": ").post("/v1/events").then().statusCode(400)
                .body(org.hamcrest.Matchers.not(containsString("at dev.spectrum")))
                .body(org.hamcrest.Matchers.not(containsString("Exception")));
    }
}
