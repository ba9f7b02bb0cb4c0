package dev.spectrum.ingest;

import static io.restassured.RestAssured.given;

import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.SQLException;
import java.util.zip.GZIPOutputStream;

/** Small helpers for requests to POST /v1/events and for what landed in staging. */
final class Requests {

    private Requests() {
    }

    static RequestSpecification withKey(String key) {
        return given().header("Authorization", "Bearer " + key).contentType("application/json");
    }

    static ValidatableResponse send(String json) {
        return withKey(IngestDatabase.WEB_KEY).body(json).when().post("/v1/events").then();
    }

    static long rows() throws SQLException {
        return IngestDatabase.db().count("SELECT count(*) FROM staging.raw_events");
    }

    static byte[] gzip(byte[] data) {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** A valid event with the given extra JSON members (each "key": value, comma-separated). */
    static String event(String members) {
        return "{\"type\": \"signup\", \"user_id\": \"u1\"" + (members.isEmpty() ? "" : ", " + members) + "}";
    }
}
