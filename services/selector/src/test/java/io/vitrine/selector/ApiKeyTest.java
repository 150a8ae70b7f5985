package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vitrine.service.LocalKafkaResource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With API keys configured, the decision and event calls need one of them; health and metrics stay open. */
@QuarkusTest
@TestProfile(ApiKeyTest.WithKeys.class)
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class ApiKeyTest {

    public static class WithKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vitrine.selector.api-keys", "first-key-3f9a,second-key-77c1");
        }
    }

    private static final String DECISION = "{\"slot\": \"keyed\", \"context\": [0,0,0,0,0,0,0,0], \"candidates\": ["
            + "{\"id\": \"a\", \"features\": [0,0,0,0,0,0,0,0]}, {\"id\": \"b\", \"features\": [1,0,0,0,0,0,0,0]}]}";

    @Test
    void decisionsAndEventsNeedOneOfTheKeys() {
        given().contentType(ContentType.JSON).body(DECISION).post("/v1/decisions").then().log().ifValidationFails()
                .statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("X-Api-Key"))
                .body("detail", containsString("needs an API key"));
        given().header("X-Api-Key", "first-key-3f9").contentType(ContentType.JSON).body(DECISION)
                .post("/v1/decisions").then().statusCode(401).body("detail", containsString("not one of"));
        given().header("X-Api-Key", "").contentType(ContentType.JSON).body(DECISION)
                .post("/v1/decisions").then().statusCode(401);
        given().contentType(ContentType.JSON).body("{\"impressions\": []}").post("/v1/events").then()
                .statusCode(401);

        given().header("X-Api-Key", "second-key-77c1").contentType(ContentType.JSON).body(DECISION)
                .post("/v1/decisions").then().log().ifValidationFails().statusCode(200)
                .body("slot", equalTo("keyed"));
        given().get("/q/health/live").then().statusCode(200);
        given().get("/v1/encoder").then().statusCode(200);
    }
}
