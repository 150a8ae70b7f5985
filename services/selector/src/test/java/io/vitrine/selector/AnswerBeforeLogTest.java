package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vitrine.avro.Decision;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code vitrine.selector.decision-answer=before-log}: a decision is answered without waiting for Kafka, and its
 * record follows on {@code decisions}. {@link AnswerBeforeLogTopicsMissingTest}: a record that cannot be written.
 */
@QuarkusTest
@TestProfile(AnswerBeforeLogTest.BeforeLog.class)
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class AnswerBeforeLogTest {

    public static class BeforeLog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vitrine.selector.decision-answer", "before-log");
        }
    }

    @Test
    void answeredDecisionIsLoggedAsTheAnswerSaid() {
        String requestId = "before-log-" + System.nanoTime();
        String chosen = given().contentType(ContentType.JSON)
                .body(DecisionResourceTest.request(requestId, "s", DecisionResourceTest.CONTEXT,
                        DecisionResourceTest.candidates(4), 1))
                .post("/v1/decisions")
                .then().statusCode(200)
                .body("requestId", equalTo(requestId))
                .body("chosen", hasSize(1))
                .extract().path("chosen[0].candidateId");

        Decision logged = TopicReader.readUntil(Topic.DECISIONS, Decision.class,
                d -> d.getRequestId().equals(requestId));
        assertEquals(chosen, logged.getChosen().get(0).getCandidateId());
        assertEquals(0, failedLogWrites(), "no failed log write with the topic there");
    }

    /** {@code vitrine_decision_log_write_seconds_count{outcome="failed"}}, 0 before the first failure. */
    static long failedLogWrites() {
        String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher count = Pattern.compile("(?m)^vitrine_decision_log_write_seconds_count\\{[^}]*outcome=\"failed\"[^}]*} "
                + "([0-9.E+]+)$").matcher(scrape);
        return count.find() ? (long) Double.parseDouble(count.group(1)) : 0;
    }
}
