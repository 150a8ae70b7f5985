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
import io.vitrine.kafka.FreePorts;
import io.vitrine.selector.metrics.SelectorMetrics;
import io.vitrine.service.LocalKafkaResource;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What the selector exports: every counter from the start, its own Kafka clients, HTTP latency with buckets, and
 * the dashboard's HTTP p99 and log-write panels computed by a real Prometheus (Debian's package) scraping this
 * service.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class MetricsTest {

    @TestHTTPResource("/")
    URL base;

    @Test
    void everyRejectionReasonAndTheKafkaClientsAreExportedFromTheStart() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String path : List.of(SelectorMetrics.HTTP, SelectorMetrics.TOPIC)) {
            for (String reason : SelectorMetrics.REJECTION_REASONS) {
                // unknown-slot is never refused here (no known slots are configured): only registration shows it.
                assertTrue(metrics.contains("vitrine_decisions_rejected_total{path=\"" + path + "\",reason=\""
                        + reason + "\"}"), path + "/" + reason + " registered at start");
            }
        }
        assertTrue(metrics.contains("vitrine_decisions_replayed_total"), "replays counted");
        for (String outcome : List.of(SelectorMetrics.FORWARD_ANSWERED, SelectorMetrics.FORWARD_FAILED,
                SelectorMetrics.FORWARD_TIMED_OUT,
                SelectorMetrics.NO_OWNER)) {
            assertTrue(metrics.contains("vitrine_decisions_forwarded_total{outcome=\"" + outcome + "\"}"),
                    "forwards " + outcome + " registered at start");
        }
        for (String reason : SelectorMetrics.EVENT_REJECTION_REASONS) {
            assertTrue(metrics.contains("vitrine_event_batches_rejected_total{reason=\"" + reason + "\"}"),
                    "event batches refused for " + reason + " registered at start");
        }
        assertTrue(metrics.contains("kafka_producer_record_send_total{client_id=\"vitrine-selector-event-log\""),
                "the event API's producer");
        assertTrue(metrics.contains("kafka_producer_record_send_total{client_id=\"vitrine-selector-decision-log\""),
                "the decision log's producer");
        assertTrue(metrics.contains("kafka_consumer_fetch_manager_records_lag_max{client_id="
                + "\"vitrine-selector-posterior-view\""), "the posterior view's consumer");
    }

    @Test
    void dashboardShowsHttpP99AndTheLogWriteFromARealScrape() throws Exception {
        for (int i = 0; i < 5; i++) {
            given().contentType(ContentType.JSON).body(DecisionResourceTest.request("scraped-" + System.nanoTime(),
                    "scraped", DecisionResourceTest.CONTEXT, DecisionResourceTest.candidates(3), 1))
                    .post("/v1/decisions").then().statusCode(200);
        }
        String metrics = given().get("/q/metrics").then().extract().asString();
        assertTrue(metrics.contains("http_server_requests_seconds_bucket{method=\"POST\",outcome=\"SUCCESS\","
                + "status=\"200\",uri=\"/v1/decisions\",le=\"0.005\"}"), "HTTP latency buckets");
        assertTrue(metrics.contains("vitrine_decision_log_write_seconds_bucket{outcome=\"acknowledged\""),
                "log write buckets");

        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(ContractTest.REPO.resolve(
                "deploy/grafana/vitrine.json")));
        Map<String, String> panels = new TreeMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            if (title.startsWith("HTTP latency p99") || title.startsWith("Decision log write")) {
                panels.put(title, panel.path("targets").get(0).path("expr").asText()
                        .replace("namespace=\"$namespace\", ", "").replace("{namespace=\"$namespace\"}", ""));
            }
        }
        assertEquals(2, panels.size(), "the two panels: " + panels.keySet());

        Path work = Files.createTempDirectory("prometheus");
        int port = FreePorts.next();
        Files.writeString(work.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: selector
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['%s:%d']
                """.formatted(base.getHost(), base.getPort()));
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            Map<String, List<Double>> values = new TreeMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < panels.size() && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                // Keep traffic flowing so that rate() over the scrapes has something to see.
                given().contentType(ContentType.JSON).body(DecisionResourceTest.request("scraped-" + System.nanoTime(),
                        "scraped", DecisionResourceTest.CONTEXT, DecisionResourceTest.candidates(3), 1))
                        .post("/v1/decisions").then().statusCode(200);
                for (Map.Entry<String, String> panel : panels.entrySet()) {
                    List<Double> result = query(http, port, panel.getValue());
                    if (!result.isEmpty()) {
                        values.put(panel.getKey(), result);
                    }
                }
            }
            assertEquals(panels.keySet(), values.keySet(), "every panel has data: " + values + "; log in " + work);
            for (Map.Entry<String, List<Double>> panel : values.entrySet()) {
                assertTrue(panel.getValue().stream().allMatch(v -> v > 0 && v <= 10), panel.getKey() + ": "
                        + panel.getValue() + " seconds");
            }
            System.out.println("dashboard panels from a real scrape (seconds): " + values);
        } finally {
            prometheus.destroy();
            prometheus.waitFor();
        }
    }

    /** The finite values of an instant query, or none while Prometheus has too few scrapes. */
    private static List<Double> query(HttpClient http, int port, String expr) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        List<Double> values = new ArrayList<>();
        HttpResponse<String> answer;
        try {
            answer = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return values; // not listening yet
        }
        for (JsonNode series : new ObjectMapper().readTree(answer.body()).path("data").path("result")) {
            double value = Double.parseDouble(series.path("value").get(1).asText());
            if (Double.isFinite(value)) {
                values.add(value);
            }
        }
        return values;
    }
}
