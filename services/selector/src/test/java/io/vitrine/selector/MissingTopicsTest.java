package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * A selector whose topics do not exist (a prefix nobody created) answers within its log timeout, naming the missing
 * topic, instead of waiting for Kafka's default 60 s for the topic's metadata.
 */
@QuarkusTest
@TestProfile(MissingTopicsTest.AbsentTopics.class)
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class MissingTopicsTest {

    static final String PREFIX = "absent.";
    static final Duration LOG_TIMEOUT = Duration.ofSeconds(2);
    /** Far below Kafka's default max.block.ms (60 s), far above the log timeout: not a timing test. */
    static final Duration BOUND = Duration.ofSeconds(30);

    public static class AbsentTopics implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vitrine.topics.prefix", PREFIX, "vitrine.selector.log-timeout", LOG_TIMEOUT.toSeconds() + "s");
        }
    }

    @Test
    void decisionWithItsTopicMissingIsA503NamingTheTopic() {
        // The first request of a fresh application also pays for its warm-up; the second shows the log timeout alone.
        for (String attempt : new String[] {"first", "second"}) {
            long start = System.nanoTime();
            given().contentType(ContentType.JSON)
                    .body(DecisionResourceTest.request("missing-" + System.nanoTime(), "s",
                            DecisionResourceTest.CONTEXT, DecisionResourceTest.candidates(2), 1))
                    .post("/v1/decisions")
                    .then().statusCode(503)
                    .contentType("application/problem+json")
                    .header("Retry-After", "1")
                    .body("title", equalTo("Decision not logged"))
                    .body("detail", containsString("Topic " + PREFIX + "decisions not present in metadata"))
                    .body("instance", startsWith("urn:uuid:"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("missing decisions topic, %s decision: 503 after %d ms (log timeout %s)%n", attempt,
                    took.toMillis(), LOG_TIMEOUT);
            assertTrue(took.compareTo(BOUND) < 0, "answered after " + took + ", not after Kafka's 60 s");
        }
    }

    @Test
    void eventBatchWithItsTopicMissingIsA503NamingTheTopic() {
        long start = System.nanoTime();
        given().contentType(ContentType.JSON)
                .body(EventResourceTest.batch(EventResourceTest.event("click", "missing", "img-1", null)))
                .post("/v1/events")
                .then().statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "1")
                .body("title", equalTo("Events not logged"))
                .body("detail", containsString(PREFIX + "clicks"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("missing clicks topic: 503 after %d ms (log timeout %s)%n", took.toMillis(), LOG_TIMEOUT);
        assertTrue(took.compareTo(BOUND) < 0, "answered after " + took + ", not after Kafka's 60 s");
    }
}
