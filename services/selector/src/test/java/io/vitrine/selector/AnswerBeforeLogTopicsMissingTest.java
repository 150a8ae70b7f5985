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
import io.vitrine.service.LocalKafkaResource;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code vitrine.selector.decision-answer=before-log} with topics nobody created: a decision is still served, and
 * its record, which cannot be written, is counted as a failed log write; event batches still wait for Kafka.
 */
@QuarkusTest
@TestProfile(AnswerBeforeLogTopicsMissingTest.BeforeLogTopicsMissing.class)
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class AnswerBeforeLogTopicsMissingTest {

    static final Duration LOG_TIMEOUT = Duration.ofSeconds(2);

    public static class BeforeLogTopicsMissing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vitrine.selector.decision-answer", "before-log",
                    "vitrine.topics.prefix", "absent-before-log.",
                    "vitrine.selector.log-timeout", LOG_TIMEOUT.toSeconds() + "s");
        }
    }

    @Test
    void decisionIsServedAndItsLostRecordCounted() throws InterruptedException {
        given().contentType(ContentType.JSON)
                .body(DecisionResourceTest.request("unlogged-" + System.nanoTime(), "s",
                        DecisionResourceTest.CONTEXT, DecisionResourceTest.candidates(3), 1))
                .post("/v1/decisions")
                .then().statusCode(200)
                .body("chosen", hasSize(1));

        // The write gives up after the log timeout; far longer is allowed here, this is not a timing test.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (AnswerBeforeLogTest.failedLogWrites() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(1, AnswerBeforeLogTest.failedLogWrites(), "the served decision whose record failed is counted");
    }

    @Test
    void eventBatchStillWaitsForKafka() {
        given().contentType(ContentType.JSON)
                .body(EventResourceTest.batch(EventResourceTest.event("click", "before-log", "img-1", null)))
                .post("/v1/events")
                .then().statusCode(503)
                .body("title", equalTo("Events not logged"));
    }
}
