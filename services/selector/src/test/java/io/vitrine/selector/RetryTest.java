package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vitrine.avro.Decision;
import io.vitrine.schemas.Topic;
import io.vitrine.selector.decision.DecisionEngine;
import io.vitrine.service.LocalKafkaResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Retries of one request id on one instance: one decision, one log record; another body under the id is a 409. */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class RetryTest {

    @Test
    void sameIdAndBodyThreeTimesIsOneDecisionAndOneLogRecord() {
        String requestId = "retry-" + System.nanoTime();
        String body = DecisionResourceTest.request(requestId, "retry/hero", DecisionResourceTest.CONTEXT,
                DecisionResourceTest.candidates(6), 2);
        // The same request, spaced and ordered differently, as another client library would write it.
        String respaced = "{ \"k\":2,\"candidates\":" + DecisionResourceTest.candidates(6).replace(" ", "")
                + ",\"context\":" + DecisionResourceTest.CONTEXT.replace(" ", "") + ",\"slot\":\"retry/hero\","
                + "\"requestId\":\"" + requestId + "\" }";
        List<Map<String, Object>> answers = new ArrayList<>();
        for (String attempt : List.of(body, respaced, body)) {
            answers.add(given().contentType(ContentType.JSON).body(attempt).post("/v1/decisions")
                    .then().statusCode(200).extract().jsonPath().getMap("$"));
        }
        assertEquals(answers.get(0), answers.get(1));
        assertEquals(answers.get(0), answers.get(2));
        assertEquals(Long.toString(DecisionEngine.seedOf(requestId)), answers.get(0).get("seed"),
                "the seed is the request id's, written as a string");

        List<Decision> logged = TopicReader.readAll(Topic.DECISIONS, Decision.class).stream()
                .filter(r -> r.key().equals(requestId)).map(r -> r.value()).toList();
        assertEquals(1, logged.size(), "one log record for three attempts");
        assertEquals(answers.get(0).get("seed"), Long.toString(logged.get(0).getSeed()));
    }

    @Test
    void sameIdWithAnotherBodyIsA409Problem() {
        String requestId = "conflict-" + System.nanoTime();
        given().contentType(ContentType.JSON).body(DecisionResourceTest.request(requestId, "retry/hero",
                DecisionResourceTest.CONTEXT, DecisionResourceTest.candidates(3), 1)).post("/v1/decisions")
                .then().statusCode(200);
        given().contentType(ContentType.JSON).body(DecisionResourceTest.request(requestId, "retry/hero",
                DecisionResourceTest.CONTEXT, DecisionResourceTest.candidates(4), 1)).post("/v1/decisions")
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("status", equalTo(409))
                .body("errors[0].field", equalTo("requestId"))
                .body("errors[0].reason", equalTo("request-id-conflict"))
                .body("detail", containsString(requestId));
    }

    @Test
    void refusedRequestIsNotRememberedSoItsCorrectionIsServed() {
        String requestId = "corrected-" + System.nanoTime();
        given().contentType(ContentType.JSON).body(DecisionResourceTest.request(requestId, "retry/hero",
                "[1, 2]", DecisionResourceTest.candidates(3), 1)).post("/v1/decisions")
                .then().statusCode(400);
        given().contentType(ContentType.JSON).body(DecisionResourceTest.request(requestId, "retry/hero",
                DecisionResourceTest.CONTEXT, DecisionResourceTest.candidates(3), 1)).post("/v1/decisions")
                .then().statusCode(200);
    }
}
