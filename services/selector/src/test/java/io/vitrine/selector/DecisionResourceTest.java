package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vitrine.avro.Decision;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code POST /v1/decisions} on a real broker: answers, logs, and rejects bad input with a readable reason. */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class DecisionResourceTest {

    static final String CONTEXT = "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]";
    static final String FEATURES = "[1, 0, 0, 0, 0, 0, 0, 1]";

    static String request(String requestId, String slot, String context, String candidates, int k) {
        return "{\"requestId\": \"" + requestId + "\", \"slot\": \"" + slot + "\", \"context\": " + context
                + ", \"candidates\": " + candidates + ", \"k\": " + k + "}";
    }

    static String candidates(int count) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add("{\"id\": \"img-" + i + "\", \"features\": " + FEATURES.replace("1]", (i + 1) + "]") + "}");
        }
        return "[" + String.join(", ", items) + "]";
    }

    @Test
    void baselineEndpointIsNotServedUnlessConfigured() {
        given().contentType(ContentType.JSON).body("{}").post("/v1/baseline").then().statusCode(404);
    }

    @Test
    void encoderDescribesTheFeatureLayout() {
        given().get("/v1/encoder").then().statusCode(200)
                .body("contextFeatures", is(8))
                .body("candidateFeatures", is(8))
                .body("dimension", is(32))
                .body("version", containsString("default"));
    }

    @Test
    void decisionIsAnsweredAndLoggedWithItsPropensity() {
        String requestId = "req-" + System.nanoTime();
        given().contentType(ContentType.JSON).body(request(requestId, "hotel-42/hero", CONTEXT, candidates(5), 2))
                .post("/v1/decisions")
                .then().statusCode(200)
                .body("requestId", equalTo(requestId))
                .body("scope", containsString("hotel-42/hero@"))
                .body("chosen", hasSize(2))
                .body("chosen[0].rank", is(0))
                .body("chosen[0].candidateId", oneOf("img-0", "img-1", "img-2", "img-3", "img-4"))
                .body("posteriorVersion", is(0));

        Decision logged = TopicReader.readUntil(Topic.DECISIONS, Decision.class,
                d -> d.getRequestId().equals(requestId));
        assertEquals(2, logged.getChosen().size());
        assertEquals(5, logged.getCandidates().size());
        assertEquals(32, logged.getChosen().get(0).getEmbedding().size());
        double propensity = logged.getChosen().get(0).getPropensity();
        assertTrue(propensity > 0 && propensity <= 1, "propensity " + propensity);
    }

    @Test
    void explainedDecisionScoresEveryCandidate() {
        given().contentType(ContentType.JSON)
                .body("{\"slot\": \"explained\", \"context\": " + CONTEXT + ", \"candidates\": " + candidates(4)
                        + ", \"k\": 2, \"explain\": true}")
                .post("/v1/decisions")
                .then().statusCode(200)
                .body("explanation", hasSize(4))
                .body("explanation[0].candidateId", equalTo("img-0"))
                .body("explanation.propensity.sum()", org.hamcrest.Matchers.closeTo(2.0, 1e-6));
        given().contentType(ContentType.JSON).body(request("plain", "explained", CONTEXT, candidates(4), 1))
                .post("/v1/decisions")
                .then().statusCode(200)
                .body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("explanation")));
    }

    @Test
    void requestWithoutIdGetsOne() {
        given().contentType(ContentType.JSON)
                .body("{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": " + candidates(2) + "}")
                .post("/v1/decisions")
                .then().statusCode(200)
                .body("requestId", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()))
                .body("chosen", hasSize(1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing slot|{\"context\": " + CONTEXT + ", \"candidates\": [{\"id\": \"a\", \"features\": " + FEATURES + "}]}|slot: is required",
        "missing context|{\"slot\": \"s\", \"candidates\": [{\"id\": \"a\", \"features\": " + FEATURES + "}]}|context: is required",
        "no candidates|{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": []}|candidates: must hold at least one candidate",
        "NaN as text|{\"slot\": \"s\", \"context\": [0.1, \"NaN\", 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], \"candidates\": [{\"id\": \"a\", \"features\": " + FEATURES + "}]}|context[1]: must be a number, got the string \"NaN\"",
        "infinity as text|{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [{\"id\": \"a\", \"features\": [1, 0, 0, 0, 0, 0, 0, \"Infinity\"]}]}|candidates[0].features[7]: must be a number",
        "wrong feature count|{\"slot\": \"s\", \"context\": [1, 2], \"candidates\": [{\"id\": \"a\", \"features\": " + FEATURES + "}]}|context: has 2 values, the encoder expects 8",
        "duplicate ids|{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [{\"id\": \"a\", \"features\": " + FEATURES + "}, {\"id\": \"a\", \"features\": " + FEATURES + "}]}|candidates[1].id: 'a' appears more than once",
        "k above candidates|{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"k\": 3, \"candidates\": [{\"id\": \"a\", \"features\": " + FEATURES + "}]}|k: asks for 3 candidates but the request has 1",
        "k zero|{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"k\": 0, \"candidates\": [{\"id\": \"a\", \"features\": " + FEATURES + "}]}|k: must be at least 1",
        "candidate without id|{\"slot\": \"s\", \"context\": " + CONTEXT + ", \"candidates\": [{\"features\": " + FEATURES + "}]}|candidates[0].id: is required",
    })
    void badRequestGetsA400ProblemNamingTheField(String name, String body, String expected) {
        given().contentType(ContentType.JSON).body(body)
                .post("/v1/decisions")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", is(400))
                .body("title", equalTo("Invalid request"))
                .body("errors.collect { it.field + ': ' + it.detail }", hasItem(containsString(expected)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not JSON|this is not json",
        "truncated|{\"slot\": \"s\", \"context\": [1,",
        "wrong type|{\"slot\": \"s\", \"context\": \"abc\", \"candidates\": []}",
        "bare NaN token|{\"slot\": \"s\", \"context\": [NaN], \"candidates\": []}",
    })
    void unreadableBodyGetsA400Problem(String name, String body) {
        given().contentType(ContentType.JSON).body(body)
                .post("/v1/decisions")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", is(400))
                .body("detail", org.hamcrest.Matchers.not(org.hamcrest.Matchers.emptyOrNullString()));
    }

    @Test
    void emptyBodyGetsA400Problem() {
        given().contentType(ContentType.JSON).body("")
                .post("/v1/decisions")
                .then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void tooManyCandidatesAreRefused() {
        given().contentType(ContentType.JSON).body(request("big", "s", CONTEXT, candidates(501), 1))
                .post("/v1/decisions")
                .then().statusCode(400)
                .body("errors[0].field", equalTo("candidates"))
                .body("errors[0].reason", equalTo("too-many-candidates"))
                .body("errors[0].detail", containsString("more than the limit of 500"));
    }

    @Test
    void serviceKeepsAnsweringAfterBadRequests() {
        for (int i = 0; i < 20; i++) {
            given().contentType(ContentType.JSON).body("{\"slot\": 1, \"context\": {}}").post("/v1/decisions")
                    .then().statusCode(400);
        }
        given().contentType(ContentType.JSON).body(request("after", "s", CONTEXT, candidates(3), 1))
                .post("/v1/decisions").then().statusCode(200);
        Map<String, Object> health = given().get("/q/health/live").then().statusCode(200).extract().as(Map.class);
        assertEquals("UP", health.get("status"));
        assertTrue(Collections.singleton("UP").contains(health.get("status")));
    }
}
