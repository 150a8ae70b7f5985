package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.evaluation.EvaluateCommand;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * A slot in apprentice mode behind a known incumbent, with the packaged learner and selector on the test JVM's
 * broker: an operator switches the slot to apprentice through the learner's admin API; a randomised incumbent with
 * known propensities sends its choice with every request; the served choices are the incumbent's, the logged
 * would-be choices carry Vitrine's propensities, and the comparison the console reports live equals
 * {@code vitrine evaluate} run on the decisions and rewards read back from the topics. A switch back to online
 * through the admin API makes the next decisions Vitrine's own, without a restart.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ApprenticeModeTest {

    private static final String SLOT = "apprentice-hero";
    private static final int ROUNDS = 240;
    /** The incumbent's policy: candidate c_a with probability INCUMBENT[a], whatever the context. */
    private static final double[] INCUMBENT = {0.5, 0.3, 0.2};
    /** The hidden click rates of the three candidates. */
    private static final double[] CLICK = {0.1, 0.2, 0.5};

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = VitrineHttp.newClient();

    @Test
    void apprenticeSlotServesTheIncumbentAndReportsWhatAnOfflineEvaluationOfItsLogReports() throws Exception {
        ServiceRun run = ServiceRun.fresh("apprentice");
        Files.createDirectories(run.work());
        KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        Path publicKey = run.work().resolve("admin-token-public.pem");
        Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keys.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        String token = token(keys);
        try (ServiceProcess learner = run.learner("learner", List.of("-Dvitrine.learner.attribution-window=1000ms",
                "-Dvitrine.learner.hold-grace=1000ms", "-Dvitrine.learner.idle-close-delay=1000ms",
                "-Dmp.jwt.verify.publickey.location=" + publicKey.toAbsolutePath()));
             ServiceProcess selector = run.selector("selector", List.of());
             var stopping = ServiceProcess.stopTogether(learner, selector)) {
            learner.launch();
            selector.launch();
            learner.awaitReady();
            selector.awaitReady();
            EncoderInfo encoder = new VitrineHttp(http, json).encoder(selector.uri());

            setMode(learner.uri(), token, "APPRENTICE");
            Instant from = Instant.now().minusSeconds(1);
            Random random = new Random(7);
            // The mode reaches the selector through slot-control: the first decisions may still be online.
            JsonNode first = awaitDecision(selector.uri(), encoder, random, a -> a.has("apprentice"));
            assertTrue(first.has("apprentice"), first.toString());

            List<LearnerInput.Event> events = new ArrayList<>();
            Map<String, String> served = new HashMap<>();
            for (int t = 0; t < ROUNDS; t++) {
                String requestId = "apprentice-" + t;
                int incumbent = draw(random);
                JsonNode answer = decide(selector.uri(), body(requestId, encoder, incumbent, true));
                String candidate = answer.at("/chosen/0/candidateId").asText();
                assertEquals("c" + incumbent, candidate, "the incumbent's choice is served: " + answer);
                assertEquals(INCUMBENT[incumbent], answer.at("/chosen/0/propensity").asDouble(), 1e-12);
                double would = answer.at("/apprentice/wouldChoose/0/propensity").asDouble();
                assertTrue(would > 0 && would <= 1, "the would-be choice carries Vitrine's propensity: " + answer);
                served.put(requestId, candidate);
                Instant at = Instant.now();
                events.add(new LearnerInput.Event(Topic.IMPRESSIONS, requestId, new Impression(requestId, candidate,
                        at), at));
                if (random.nextDouble() < CLICK[incumbent]) {
                    events.add(new LearnerInput.Event(Topic.CLICKS, requestId, new Click(requestId, candidate,
                            at.plusMillis(100), null), at.plusMillis(100)));
                }
            }
            Instant to = Instant.now().plusMillis(1);
            try (KafkaProducer<String, SpecificRecord> producer = LearnerInput.producer(run.bootstrap())) {
                LearnerInput.send(producer, run.prefix(), events);
                LearnerInput.sendEndOfInput(producer, run.prefix(), to.plusSeconds(60));
            }

            // Live: the console's comparison once every round's reward has reached it.
            JsonNode live = awaitComparison(learner.uri(), ROUNDS);
            // Offline: vitrine evaluate on the decisions and rewards read back from the topics.
            Path report = run.work().resolve("evaluate.json");
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine evaluate = new CommandLine(new EvaluateCommand());
            evaluate.setOut(new PrintWriter(out));
            evaluate.setErr(new PrintWriter(err));
            int exit = evaluate.execute("--bootstrap-servers", run.bootstrap(), "--topic-prefix", run.prefix(),
                    "--from", from.toString(), "--to", to.toString(), "--reward-grace", "PT5M", "--policy", "uniform",
                    "--replicates", "50", "--json", report.toString());
            assertEquals(0, exit, err.toString());
            System.out.println(out); // the report, as an operator reads it
            JsonNode offline = json.readTree(report.toFile());
            JsonNode comparison = offline.get("apprentice");
            // Probes (no impression) have no reward: the log's rounds are the apprentice rounds.
            assertEquals(ROUNDS, offline.get("rounds").asInt(), err.toString());
            for (String field : List.of("rounds", "agreed", "unbiased", "note")) {
                assertEquals(comparison.get(field), live.get(field), field + ": live " + live + ", offline " + comparison);
            }
            for (String estimate : List.of("incumbent", "agreement", "vitrine")) {
                for (String part : List.of("value", "low", "high")) {
                    assertEquals(comparison.get(estimate).get(part).asDouble(), live.get(estimate).get(part).asDouble(),
                            1e-12, estimate + "." + part);
                }
            }
            assertTrue(live.get("unbiased").asBoolean(), "a randomised incumbent's propensities: unbiased");
            double ips = Double.NaN;
            for (JsonNode policy : offline.get("policies")) {
                if (policy.get("policy").asText().contains("would-be")) {
                    for (JsonNode estimate : policy.get("estimates")) {
                        if (estimate.get("estimator").asText().equals("IPS")) {
                            ips = estimate.get("value").asDouble();
                        }
                    }
                }
            }
            assertEquals(live.at("/vitrine/value").asDouble(), ips, 1e-12,
                    "the evaluator's IPS of the would-be choices is the console's estimate");

            // The console explains one decision by its request id, reward included.
            JsonNode explained = get(learner.uri().resolve("/v1/console/decisions/apprentice-0"));
            assertEquals("apprentice", explained.get("mode").asText());
            assertEquals(served.get("apprentice-0"), explained.at("/served/0/candidateId").asText());
            assertTrue(explained.at("/wouldChoose/0/propensity").asDouble() > 0, explained.toString());
            assertEquals(served.get("apprentice-0"), explained.at("/reward/candidateId").asText());

            // Back to online through the admin API, without a restart: the next decisions are Vitrine's own.
            setMode(learner.uri(), token, "ONLINE");
            JsonNode online = awaitDecision(selector.uri(), encoder, random, a -> !a.has("apprentice"));
            String onlineId = online.get("requestId").asText();
            Decision logged = CommittedRecords.read(run.bootstrap(), Topic.DECISIONS.name(run.prefix()),
                            AvroSerdes.registryless(Decision.class).deserializer(),
                            records -> records.stream().anyMatch(r -> onlineId.equals(r.key())),
                            Duration.ofSeconds(60), Duration.ofSeconds(1))
                    .stream().filter(r -> onlineId.equals(r.key())).map(ConsumerRecord::value).findFirst()
                    .orElseThrow();
            assertNull(logged.getApprentice(), "an online decision logs no would-be choice");
            for (int t = 0; t < 5; t++) {
                JsonNode next = decide(selector.uri(), body("online-" + t, encoder, draw(random), true));
                assertTrue(!next.has("apprentice"), "the next decisions are Vitrine's own: " + next);
            }
        }
    }

    private static int draw(Random random) {
        double u = random.nextDouble();
        double cumulative = 0;
        for (int a = 0; a < INCUMBENT.length; a++) {
            cumulative += INCUMBENT[a];
            if (u < cumulative) {
                return a;
            }
        }
        return INCUMBENT.length - 1;
    }

    private JsonNode awaitDecision(URI selector, EncoderInfo encoder, Random random,
                                   java.util.function.Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode answer;
        do {
            answer = decide(selector, body("probe-" + System.nanoTime(), encoder, draw(random), true));
            if (until.test(answer)) {
                return answer;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no such decision within 60 s; the last: " + answer);
    }

    private JsonNode awaitComparison(URI learner, int rounds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode apprentice = null;
        while (System.nanoTime() < deadline) {
            for (JsonNode slot : get(learner.resolve("/v1/console/snapshot")).get("slots")) {
                if (slot.get("slot").asText().equals(SLOT)) {
                    apprentice = slot.get("apprentice");
                }
            }
            if (apprentice != null && !apprentice.isNull() && apprentice.get("rounds").asInt() == rounds) {
                return apprentice;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the console never compared " + rounds + " rounds: " + apprentice);
    }

    private JsonNode decide(URI selector, String body) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(selector.resolve("/v1/decisions"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return json.readTree(answer.body());
    }

    private JsonNode get(URI uri) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return json.readTree(answer.body());
    }

    private void setMode(URI learner, String token, String mode) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(learner.resolve("/v1/admin/slots/" + SLOT
                        + "/mode")).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"mode\": \"" + mode + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
    }

    private static String body(String requestId, EncoderInfo encoder, int incumbent, boolean withPropensity) {
        StringBuilder list = new StringBuilder();
        for (int a = 0; a < INCUMBENT.length; a++) {
            list.append(a == 0 ? "" : ",").append("{\"id\":\"c").append(a).append("\",\"features\":")
                    .append(features(encoder.candidateFeatures(), a)).append('}');
        }
        return "{\"requestId\":\"" + requestId + "\",\"slot\":\"" + SLOT + "\",\"context\":"
                + features(encoder.contextFeatures(), 3) + ",\"candidates\":[" + list + "],"
                + "\"incumbent\":{\"candidateId\":\"c" + incumbent + "\""
                + (withPropensity ? ",\"propensity\":" + INCUMBENT[incumbent] : "") + "}}";
    }

    private static String features(int count, int salt) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(Float.toString(((i + salt) % 5) / 5f));
        }
        return "[" + String.join(",", values) + "]";
    }

    /**
     * An admin bearer token (RS256 JWT, issuer {@code vitrine}, group {@code vitrine-admin}) signed with the key whose
     * public half the learner is given. Written with the JDK's signature: this module has no JWT library, and a
     * token is only three base64url parts.
     */
    private static String token(KeyPair keys) throws Exception {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        long now = Instant.now().getEpochSecond();
        String header = base64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = base64.encodeToString(("{\"iss\":\"vitrine\",\"sub\":\"operator\",\"groups\":[\"vitrine-admin\"],"
                + "\"iat\":" + now + ",\"exp\":" + (now + 600) + ",\"jti\":\"" + java.util.UUID.randomUUID() + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(keys.getPrivate());
        signature.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + base64.encodeToString(signature.sign());
    }
}
