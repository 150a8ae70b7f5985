package io.vitrine.selector;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vitrine.service.LocalKafkaResource;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The served OpenAPI document is the contract: a linter nobody here wrote finds no error in it, a TypeScript
 * client generated from it compiles with {@code tsc --strict} and works against this service, its examples are
 * answered as documented, and docs/api.md says the same.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class ContractTest {

    static final Path REPO = Path.of("../..").toAbsolutePath().normalize();

    @TestHTTPResource("/")
    URL base;

    @Test
    void lintedDocumentGivesATypeScriptClientThatCompilesStrictlyAndWorks() throws Exception {
        String output = checkTypeScriptClient("selector", base.toString().replaceAll("/$", ""));
        assertTrue(output.contains("\"conflict\":409"), output);
    }

    @Test
    void requestExampleOfTheDocumentIsAnsweredWithItsResponseShape() throws IOException {
        JsonNode operation = document().at("/paths/~1v1~1decisions/post");
        JsonNode example = operation.at("/requestBody/content/application~1json/examples/two-candidates/value");
        ObjectMapper json = new ObjectMapper();
        String requestId = "example-" + System.nanoTime();
        String body = json.writeValueAsString(((com.fasterxml.jackson.databind.node.ObjectNode) example.deepCopy())
                .put("requestId", requestId));
        JsonNode answer = json.readTree(given().contentType(ContentType.JSON).body(body).post("/v1/decisions")
                .then().statusCode(200).extract().asString());
        JsonNode documented = operation.at("/responses/200/content/application~1json/examples/chosen/value");
        assertEquals(fieldNames(documented), fieldNames(answer), "the answer has the documented fields");
        assertEquals(fieldNames(documented.at("/chosen/0")), fieldNames(answer.at("/chosen/0")));
        assertTrue(answer.get("seed").isTextual(), "the seed is a string");
    }

    @Test
    void eventExampleOfTheDocumentIsAcceptedWithItsResponseShape() throws IOException {
        JsonNode operation = document().at("/paths/~1v1~1events/post");
        JsonNode example = operation.at("/requestBody/content/application~1json/examples/shown-and-clicked/value");
        ObjectMapper json = new ObjectMapper();
        String requestId = "example-" + System.nanoTime();
        com.fasterxml.jackson.databind.node.ObjectNode body = example.deepCopy();
        for (JsonNode event : body.get("events")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) event).put("requestId", requestId);
        }
        JsonNode answer = json.readTree(given().contentType(ContentType.JSON).body(json.writeValueAsString(body))
                .post("/v1/events").then().statusCode(202).extract().asString());
        JsonNode documented = operation.at("/responses/202/content/application~1json/examples/accepted/value");
        assertEquals(documented, answer, "the documented answer to the documented batch");
    }

    @Test
    void apiPageAgreesWithTheDocument() throws IOException {
        JsonNode document = document();
        String page = Files.readString(REPO.resolve("docs/api.md"));
        for (Iterator<String> paths = document.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            for (Iterator<String> methods = document.get("paths").get(path).fieldNames(); methods.hasNext(); ) {
                String method = methods.next().toUpperCase();
                String section = section(page, "### `" + method + " " + path + "`");
                JsonNode responses = document.get("paths").get(path).get(method.toLowerCase()).get("responses");
                Set<String> documented = new TreeSet<>();
                responses.fieldNames().forEachRemaining(documented::add);
                documented.remove("200");
                assertEquals(documented, statuses(section), method + " " + path + ": the page's status table");
            }
        }
        String decisions = section(page, "### `POST /v1/decisions`");
        JsonNode request = document.at("/components/schemas/DecisionRequest");
        TreeMap<String, Boolean> required = new TreeMap<>();
        request.get("properties").fieldNames().forEachRemaining(name -> required.put(name, false));
        request.get("required").forEach(name -> required.put(name.asText(), true));
        assertEquals(required, fieldTable(decisions), "the page's request table: fields and whether required");
        String events = section(page, "### `POST /v1/events`");
        TreeMap<String, Boolean> eventFields = new TreeMap<>();
        for (String schema : new String[] {"EventBatch", "Event"}) {
            JsonNode object = document.at("/components/schemas/" + schema);
            object.get("properties").fieldNames().forEachRemaining(name -> eventFields.put(name, false));
            object.get("required").forEach(name -> eventFields.put(name.asText(), true));
        }
        assertEquals(eventFields, fieldTable(events), "the events table: fields and whether required");
        assertTrue(events.contains("\"value\": " + document.at("/paths/~1v1~1events/post/requestBody/content/"
                + "application~1json/examples/clicked-then-booked/value/events/0/value").asText()),
                "the page shows the document's booking example");
        for (String schema : new String[] {"DecisionResponse", "ChosenCandidate", "ExplainedCandidate",
            "Problem", "FieldError"}) {
            document.at("/components/schemas/" + schema + "/properties").fieldNames().forEachRemaining(name ->
                    assertTrue(page.contains("`" + name + "`"), schema + "." + name + " is explained on the page"));
        }
        assertTrue(decisions.contains("256") && decisions.contains(
                document.at("/components/schemas/DecisionRequest/properties/candidates/maxItems").asText())
                && decisions.contains("`k`"), "the limits are on the page");
    }

    static JsonNode document() throws IOException {
        return new ObjectMapper().readTree(given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().asString());
    }

    /** Runs clients/typescript/check.sh against a running service; returns its output, fails on a non-zero exit. */
    static String checkTypeScriptClient(String service, String url, String... more) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                REPO.resolve("clients/typescript/check.sh").toString(), service, url));
        command.addAll(java.util.List.of(more));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES), "check.sh finished");
        System.out.println(output);
        assertEquals(0, process.exitValue(), "check.sh " + service + " failed:\n" + output);
        return output;
    }

    /** The text under a heading, up to the next heading of the same or a higher level. */
    static String section(String page, String heading) {
        int start = page.indexOf("\n" + heading + "\n");
        assertTrue(start >= 0, "docs/api.md has a section " + heading);
        int level = heading.indexOf(' ');
        Matcher next = Pattern.compile("\n#{1," + level + "} ").matcher(page);
        int end = next.find(start + heading.length() + 1) ? next.start() : page.length();
        return page.substring(start, end);
    }

    /** Status codes of a section's table rows {@code | 400 | ...}. */
    static Set<String> statuses(String section) {
        Set<String> statuses = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| (\\d{3}) \\|").matcher(section);
        while (row.find()) {
            statuses.add(row.group(1));
        }
        return statuses;
    }

    /** Rows {@code | `field` | type | yes/no ... |} of a section's field table: field -> required. */
    static TreeMap<String, Boolean> fieldTable(String section) {
        TreeMap<String, Boolean> fields = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `(\\w+)` \\| [^|]+ \\| (yes|no)\\b").matcher(section);
        while (row.find()) {
            fields.put(row.group(1), row.group(2).equals("yes"));
        }
        return fields;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
