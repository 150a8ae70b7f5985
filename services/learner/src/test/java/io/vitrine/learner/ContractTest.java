package io.vitrine.learner;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The learner's served OpenAPI document is its contract: linted, a TypeScript client generated from it compiles
 * strictly and reads a real posterior and a 404 problem, and docs/api.md says the same. Also: a repeated decision
 * record of one request id (a retry that reached a second selector) gives one reward, from the first record.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class ContractTest {

    static final Path REPO = Path.of("../..").toAbsolutePath().normalize();

    @TestHTTPResource("/")
    URL base;

    @Test
    void repeatedDecisionRecordGivesOneRewardFromTheFirstAndTheTypeScriptClientReadsIt() throws Exception {
        String requestId = "twice-" + System.nanoTime();
        String scope = "contract/hero@enc";
        Instant now = Instant.now();
        LearnerServiceTest.send(Topic.DECISIONS, requestId, decision(requestId, scope, "a", 0.25, now), now);
        // The same request id decided again elsewhere: another choice and propensity, logged later.
        LearnerServiceTest.send(Topic.DECISIONS, requestId, decision(requestId, scope, "b", 0.75, now.plusMillis(5)),
                now.plusMillis(5));
        LearnerServiceTest.send(Topic.IMPRESSIONS, requestId, new Impression(requestId, "a", now.plusMillis(10)),
                now.plusMillis(10));
        LearnerServiceTest.send(Topic.CLICKS, requestId, new Click(requestId, "a", now.plusMillis(500), null),
                now.plusMillis(500));

        Reward reward = LearnerServiceTest.readFirst(Topic.REWARDS, Reward.class,
                r -> r.getRequestId().equals(requestId));
        assertEquals("a", reward.getCandidateId());
        assertEquals(0.25, reward.getPropensity(), 1e-12, "the first decision record's propensity");
        LearnerServiceTest.awaitStatus("/v1/posteriors/" + scope, 200);
        List<Reward> all = LearnerServiceTest.readAll(Topic.REWARDS, Reward.class).stream()
                .filter(r -> r.getRequestId().equals(requestId)).toList();
        assertEquals(1, all.size(), "one reward for the request id: " + all);

        String output = checkTypeScriptClient("learner", base.toString().replaceAll("/$", ""), scope);
        assertTrue(output.contains("\"scope\":\"" + scope + "\""), output);
    }

    @Test
    void errorsOfTheHttpLayerAreProblemsAndProblemJsonIsAnAcceptableAccept() throws Exception {
        given().get("/v1/nothing").then().statusCode(404).contentType("application/problem+json")
                .body("status", is(404));
        LearnerServiceTest.awaitStatus("/v1/posteriors/nobody", 404);
        given().accept("application/problem+json").get("/v1/posteriors/nobody").then().statusCode(404)
                .contentType("application/problem+json")
                .body("title", equalTo("Unknown scope"));
        given().accept("text/html").get("/v1/posteriors/nobody").then().statusCode(406)
                .contentType("application/problem+json");
    }

    @Test
    void apiPageAgreesWithTheDocument() throws Exception {
        JsonNode document = new ObjectMapper().readTree(given().get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString());
        String page = Files.readString(REPO.resolve("docs/api.md"));
        String section = section(page, "### `GET /v1/posteriors/{scope}`");
        JsonNode responses = document.at("/paths/~1v1~1posteriors~1{scope}/get/responses");
        Set<String> documented = new TreeSet<>();
        responses.fieldNames().forEachRemaining(documented::add);
        documented.remove("200");
        Set<String> listed = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| (\\d{3}) \\|").matcher(section);
        while (row.find()) {
            listed.add(row.group(1));
        }
        assertEquals(documented, listed, "the page's status table");
        document.at("/components/schemas/PosteriorSummary/properties").fieldNames().forEachRemaining(name ->
                assertTrue(section.contains("`" + name + "`"), "PosteriorSummary." + name + " is on the page"));
        responses.at("/200/headers").fieldNames().forEachRemaining(header ->
                assertTrue(section.contains("`" + header), header + " is on the page"));
        assertTrue(!document.toString().contains("X-Vitrine-Forwarded"), "the internal header is not in the contract");
    }

    @Test
    void theConsoleSnapshotHasTheDocumentsFields() throws Exception {
        JsonNode document = new ObjectMapper().readTree(given().get("/q/openapi?format=json").then().statusCode(200)
                .extract().asString());
        assertTrue(document.at("/paths/~1v1~1console~1events/get/responses/200/content").has("text/event-stream"));
        JsonNode snapshot = new ObjectMapper().readTree(given().get("/v1/console/snapshot").then().statusCode(200)
                .extract().asString());
        assertEquals(fields(document.at("/components/schemas/ConsoleSnapshot/properties")), fields(snapshot));
        assertEquals(fields(document.at("/components/schemas/ConsoleCounters/properties")),
                fields(snapshot.get("counters")));
        for (JsonNode slot : snapshot.get("slots")) {
            assertEquals(fields(document.at("/components/schemas/ConsoleSlot/properties")), fields(slot));
            for (JsonNode candidate : slot.get("candidates")) {
                assertEquals(fields(document.at("/components/schemas/ConsoleCandidate/properties")), fields(candidate));
            }
        }
    }

    private static Set<String> fields(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Decision decision(String requestId, String scope, String chosen, double propensity, Instant at) {
        return Decision.newBuilder()
                .setRequestId(requestId).setSlot("contract/hero").setScope(scope).setTimestamp(at)
                .setContext(List.of(1f)).setCandidates(List.of(new Candidate("a", List.of(1f)),
                        new Candidate("b", List.of(0f))))
                .setK(1).setChosen(List.of(new ChosenCandidate(chosen, 0, 0.1, 0.1, propensity, List.of(1f, 0.5f),
                        null)))
                .setSeed(3L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(1).build();
    }

    static String checkTypeScriptClient(String service, String url, String... more) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                REPO.resolve("clients/typescript/check.sh").toString(), service, url));
        command.addAll(List.of(more));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "check.sh finished");
        System.out.println(output);
        assertEquals(0, process.exitValue(), "check.sh " + service + " failed:\n" + output);
        return output;
    }

    static String section(String page, String heading) {
        int start = page.indexOf("\n" + heading + "\n");
        assertTrue(start >= 0, "docs/api.md has a section " + heading);
        Matcher next = Pattern.compile("\n#{1,3} ").matcher(page);
        int end = next.find(start + heading.length() + 1) ? next.start() : page.length();
        return page.substring(start, end);
    }
}
