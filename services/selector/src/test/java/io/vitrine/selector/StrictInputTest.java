package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vitrine.service.LocalKafkaResource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A request is exactly what the contract says or a problem document naming each field and reason: no coercion,
 * no 5xx from input, and the HTTP layer's own refusals (413, 415, 406, 404, 405) are problem documents too.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class StrictInputTest {

    static final String CONTEXT = DecisionResourceTest.CONTEXT;
    static final String CANDIDATE = "{\"id\": \"a\", \"features\": " + DecisionResourceTest.FEATURES + "}";
    static final String VALID = "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "]}";

    /** {@link #VALID} with its member {@code name} set to the JSON text {@code value}. */
    static String with(String name, String value) {
        return VALID.substring(0, VALID.length() - 1) + ", \"" + name + "\": " + value + "}";
    }

    static String candidateWith(String features) {
        return "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [{\"id\": \"a\", \"features\": "
                + features + "}]}";
    }

    static Response post(String body) {
        return given().contentType(ContentType.JSON).body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/decisions");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "feature overflowing the encoder|" + "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [{\"id\": \"a\", \"features\": [3.4e38, 3.4e38, 3.4e38, 3.4e38, 0, 0, 0, 0]}]}|candidates[0].features|overflows the encoder",
        "number beyond float range|{\"slot\": \"s\", \"context\": [1e39, 0, 0, 0, 0, 0, 0, 0], \"candidates\": [" + CANDIDATE + "]}|context[0]|outside the range of a 32-bit float",
        "null feature|{\"slot\": \"s\", \"context\": [null, 0, 0, 0, 0, 0, 0, 0], \"candidates\": [" + CANDIDATE + "]}|context[0]|must be a number, got null",
        "empty text feature|{\"slot\": \"s\", \"context\": [\"\", 0, 0, 0, 0, 0, 0, 0], \"candidates\": [" + CANDIDATE + "]}|context[0]|must be a number, got the string \"\"",
        "number as text|{\"slot\": \"s\", \"context\": [\"1\", 0, 0, 0, 0, 0, 0, 0], \"candidates\": [" + CANDIDATE + "]}|context[0]|must be a number",
        "fractional k|`" + "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "], \"k\": 1.5}`|k|must be an integer, got the number 1.5",
        "k as 1.0|`" + "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "], \"k\": 1.0}`|k|must be an integer",
        "k beyond 32 bits|`" + "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "], \"k\": 4294967297}`|k|is out of range",
        "k as text|`" + "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "], \"k\": \"1\"}`|k|must be an integer",
        "explain as a number|`" + "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "], \"explain\": 1}`|explain|must be true or false, got the number 1",
        "explain as null|`" + "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "], \"explain\": null}`|explain|must be left out rather than null",
        "slot as a number|{\"slot\": 5, \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "]}|slot|must be a string, got the number 5",
        "candidate id as a boolean|{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [{\"id\": true, \"features\": " + DecisionResourceTest.FEATURES + "}]}|candidates[0].id|must be a string, got true",
        "unknown member|`" + "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "], \"kk\": 1}`|kk|is not a known field",
        "unknown candidate member|{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [{\"id\": \"a\", \"features\": [0,0,0,0,0,0,0,0], \"weight\": 2}]}|candidates[0].weight|is not a known field",
        "lone surrogate in the request id|`" + "{\"requestId\": \"r-\\ud800\", \"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "]}`|requestId|lone surrogate \\ud800 at index 2",
        "blank request id|`" + "{\"requestId\": \"\", \"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "]}`|requestId|must not be blank",
        "array instead of an object|[1, 2]|body|must be a JSON object, got an array",
        "duplicate key|{\"slot\": \"a\", \"slot\": \"b\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "]}|slot|Duplicate field 'slot'",
        "trailing data|" + "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "]} x|body|Unrecognized token 'x'",
        "second document|" + "{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [" + CANDIDATE + "]} {}|body|has data after the JSON document",
        "NaN literal|{\"slot\": \"s\", \"context\": [NaN, 0, 0, 0, 0, 0, 0, 0], \"candidates\": [" + CANDIDATE + "]}|context[0]|JSON has no NaN or Infinity",
        "Infinity literal|{\"slot\": \"s\", \"context\": [0, -Infinity, 0, 0, 0, 0, 0, 0], \"candidates\": [" + CANDIDATE + "]}|context[1]|is not valid JSON at line 1",
        "truncated|{\"slot\": \"s\", \"context\": [1,|context[1]|is not valid JSON",
        "not JSON|this is not json|body|is not valid JSON at line 1, column",
        "whitespace only|`   `|body|is empty",
        "very long number|{\"slot\": \"s\", \"context\": [1" + "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000, 0, 0, 0, 0, 0, 0, 0], \"candidates\": [" + CANDIDATE + "]}|context[0]|Number value length",
    })
    void badInputIsA400ProblemNamingItsFieldAndReason(String name, String body, String field, String detail) {
        post(body).then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", is(400))
                .body("errors.field", hasItem(field))
                .body("errors.find { it.field == '" + field.replace("'", "\\'") + "' }.detail", containsString(detail))
                .body("errors.find { it.field == '" + field.replace("'", "\\'") + "' }.reason",
                        not(org.hamcrest.Matchers.emptyOrNullString()));
    }

    @Test
    void everyProblemOfARequestIsNamedAtOnce() {
        post("{\"slot\": 1, \"context\": [\"x\", null], \"candidates\": {}, \"k\": 0.5, \"extra\": true}")
                .then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.containsInAnyOrder("extra", "slot", "context[0]",
                        "context[1]", "candidates", "k"))
                .body("errors.find { it.field == 'context[1]' }.pointer", equalTo("/context/1"));
    }

    @Test
    void invalidUtf8IsA400Problem() {
        byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"slot\": \"".getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28}); // a broken two-byte sequence
        body.writeBytes(VALID.substring("{\"slot\": \"".length()).getBytes(StandardCharsets.UTF_8));
        assertTrue(body.size() > valid.length);
        given().contentType(ContentType.JSON).body(body.toByteArray()).post("/v1/decisions")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("slot"))
                .body("errors[0].detail", containsString("Invalid UTF-8"));
    }

    @Test
    void bodyOverTheLimitIsA413Problem() {
        String padding = " ".repeat(1024 * 1024 + 1);
        post(VALID + padding).then().statusCode(413)
                .contentType("application/problem+json")
                .body("status", is(413))
                .body("errors[0].field", equalTo("body"))
                .body("errors[0].reason", equalTo("body-too-large"))
                .body("detail", containsString("limit of 1048576 bytes"));
    }

    @Test
    void wrongContentTypeIsA415Problem() {
        given().contentType(ContentType.TEXT).body(VALID).post("/v1/decisions")
                .then().statusCode(415)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("header.Content-Type"))
                .body("errors[0].reason", equalTo("unsupported-media-type"));
    }

    @Test
    void compressedBodyIsA415ProblemNamingTheEncoding() {
        given().contentType(ContentType.JSON).header("Content-Encoding", "gzip").body(VALID).post("/v1/decisions")
                .then().statusCode(415)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("header.Content-Encoding"))
                .body("detail", containsString("gzip"));
    }

    @Test
    void problemJsonAloneIsAnAcceptableAccept() {
        given().contentType(ContentType.JSON).accept("application/problem+json").body(VALID).post("/v1/decisions")
                .then().statusCode(200)
                .body("chosen[0].candidateId", equalTo("a"));
        given().contentType(ContentType.JSON).accept("application/problem+json").body("{}").post("/v1/decisions")
                .then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void unacceptableAcceptIsA406Problem() {
        given().contentType(ContentType.JSON).accept("text/html").body(VALID).post("/v1/decisions")
                .then().statusCode(406)
                .contentType("application/problem+json")
                .body("errors[0].field", equalTo("header.Accept"));
    }

    @Test
    void unknownPathAndWrongMethodAreProblems() {
        given().get("/v1/nothing-here").then().statusCode(404).contentType("application/problem+json")
                .body("status", is(404));
        given().get("/v1/decisions").then().statusCode(405).contentType("application/problem+json")
                .body("errors[0].reason", equalTo("method-not-allowed"));
    }

    @Test
    void unexpectedFailureIsAProblemWithAnIdTheLogCarries() {
        List<String> logged = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record.getParameters() == null ? record.getMessage()
                        : String.format(record.getMessage(), record.getParameters());
                logged.add(message + (record.getThrown() == null ? "" : " " + record.getThrown().getMessage()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("io.vitrine.selector.rest.ProblemMappers");
        logger.addHandler(capture);
        try {
            String instance = given().get("/test/failing").then().statusCode(500)
                    .contentType("application/problem+json")
                    .body("status", is(500))
                    .body("instance", startsWith("urn:uuid:"))
                    .body("detail", not(containsString(FailingResource.MESSAGE)))
                    .extract().path("instance");
            String id = instance.substring("urn:uuid:".length());
            assertTrue(logged.stream().anyMatch(line -> line.contains(id) && line.contains(FailingResource.MESSAGE)),
                    "the log names " + id + " with the failure: " + logged);
        } finally {
            logger.removeHandler(capture);
        }
    }
}
