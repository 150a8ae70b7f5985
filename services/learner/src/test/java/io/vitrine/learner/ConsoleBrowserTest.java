package io.vitrine.learner;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vitrine.avro.ApprenticeChoice;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.schemas.Topic;
import io.vitrine.service.LocalKafkaResource;
import java.awt.image.BufferedImage;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The console in a real headless browser (Debian's {@code chromium}, which the build installs): the learner learns
 * a slot's rewards on the in-JVM broker, the page connects to the server-sent events, takes more than one live
 * update, draws its charts with data, and shows the same numbers as the learner's REST answers. The slot is in
 * apprentice mode: the page shows Vitrine beside the incumbent as the snapshot reports it, and one decision typed in
 * by its request id, with its served and would-be choices, propensities, versions and reward.
 */
@QuarkusTest
@WithTestResource(value = LocalKafkaResource.class, scope = TestResourceScope.GLOBAL)
class ConsoleBrowserTest {

    private static final String SLOT = "console-" + System.nanoTime() + "/hero";
    private static final String SCOPE = SLOT + "@enc";

    @TestHTTPResource("/console/")
    URL console;

    @Test
    void consoleShowsTheLearnersNumbersLiveWithCharts() throws Exception {
        assertTrue(Files.isExecutable(Path.of(HeadlessChromium.PATH)),
                HeadlessChromium.PATH + " is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does");
        // Six requests over six seconds of impression time: "a" is shown four times and clicked three, "b" twice.
        Instant start = Instant.now().minusSeconds(8);
        String[] shown = {"a", "b", "a", "a", "b", "a"};
        boolean[] clicked = {true, false, true, false, false, true};
        String[] requestIds = new String[shown.length];
        for (int i = 0; i < shown.length; i++) {
            String requestId = "console-" + i + "-" + System.nanoTime();
            requestIds[i] = requestId;
            Instant at = start.plusSeconds(i);
            String candidate = shown[i];
            float feature = candidate.equals("a") ? 1f : -1f;
            LearnerServiceTest.send(Topic.DECISIONS, requestId, Decision.newBuilder()
                    .setRequestId(requestId).setSlot(SLOT).setScope(SCOPE).setTimestamp(at)
                    .setContext(List.of(1f))
                    .setCandidates(List.of(new Candidate("a", List.of(1f)), new Candidate("b", List.of(-1f))))
                    // Apprentice mode, as the selector logs it: the incumbent's choice served with the incumbent's
                    // propensity (a with 0.6, b with 0.4); Vitrine would show a.
                    .setK(1).setChosen(List.of(new ChosenCandidate(candidate, 0, 0.5, 0.5,
                            candidate.equals("a") ? 0.6 : 0.4, List.of(feature, 1f), null)))
                    .setSeed(3L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(1)
                    .setApprentice(new ApprenticeChoice(List.of(new ChosenCandidate("a", 0, 0.7, 0.6, 0.8,
                            List.of(1f, 1f), null)), candidate.equals("a") ? 0.6 : 0.4))
                    .build(), at);
            LearnerServiceTest.send(Topic.IMPRESSIONS, requestId, new Impression(requestId, candidate,
                    at.plusMillis(10)), at.plusMillis(10));
            if (clicked[i]) {
                LearnerServiceTest.send(Topic.CLICKS, requestId, new Click(requestId, candidate, at.plusMillis(400),
                        null), at.plusMillis(400));
            }
        }
        JsonPath slot = awaitSlot(shown.length);
        JsonPath posterior = given().get("/v1/posteriors/" + SCOPE).then().statusCode(200).extract().jsonPath();
        assertEquals(shown.length, posterior.getLong("version"), "the learner learned every reward");

        Path dir = Files.createDirectories(Path.of("target/console-browser-test"));
        String page;
        String explained;
        String missing;
        byte[] png;
        try (HeadlessChromium browser = new HeadlessChromium(dir.resolve("profile"), console.toString(), 1100, 1000)) {
            // A live update: the page took a second snapshot from the event stream, without a reload.
            browser.await("!!document.body && Number(document.body.dataset.updates) >= 2", Duration.ofSeconds(30));
            assertEquals("live", browser.evaluate("document.body.dataset.state").asText(),
                    "the page is connected to the event stream");
            page = browser.evaluate("document.documentElement.outerHTML").asText();
            png = browser.screenshot();
            // An operator types the second decision's request id: the page shows that decision.
            browser.evaluate("document.getElementById('request-id').value = '" + requestIds[1] + "';"
                    + " document.getElementById('explain-form').requestSubmit(); true");
            browser.await("document.getElementById('decision').dataset.state === 'shown'", Duration.ofSeconds(30));
            explained = browser.evaluate("document.getElementById('decision').outerHTML").asText();
            Files.write(dir.resolve("console-decision.png"), browser.screenshot());
            browser.evaluate("document.getElementById('request-id').value = 'no-such-request';"
                    + " document.getElementById('explain-form').requestSubmit(); true");
            browser.await("document.getElementById('decision').dataset.state === 'missing'", Duration.ofSeconds(30));
            missing = browser.evaluate("document.getElementById('decision').outerHTML").asText();
        }
        assertEquals(requestIds[1], field(explained, "decision-request-id"));
        assertEquals("apprentice", field(explained, "decision-mode"));
        assertEquals("a, b", field(explained, "decision-candidates"));
        assertEquals("b (propensity 0.4000)", field(explained, "decision-served"), "the incumbent's choice, served");
        assertEquals("a (propensity 0.8000)", field(explained, "decision-would"), "what Vitrine would have chosen");
        assertEquals("0.4000", field(explained, "decision-incumbent-propensity"));
        assertEquals("enc", field(explained, "decision-encoder-version"));
        assertEquals("0", field(explained, "decision-posterior-version"));
        assertEquals("0 (no_click, b)", field(explained, "decision-reward"), "its reward, joined");
        JsonPath rest = given().get("/v1/console/decisions/" + requestIds[1]).then().statusCode(200).extract()
                .jsonPath();
        assertEquals("b", rest.getString("served[0].candidateId"));
        assertEquals(0.8, rest.getDouble("wouldChoose[0].propensity"), 1e-6); // JsonPath reads floats
        assertTrue(field(missing, "decision-error").contains("no-such-request"), missing);
        given().get("/v1/console/decisions/no-such-request").then().statusCode(404)
                .contentType("application/problem+json");
        String section = section(page, SLOT);
        for (String chart : List.of("click-rate", "rewards")) {
            Matcher points = Pattern.compile("data-chart=\"" + chart + "\" data-points=\"(\\d+)\"").matcher(section);
            assertTrue(points.find(), "the " + chart + " chart is drawn");
            assertEquals(shown.length, Integer.parseInt(points.group(1)),
                    "the " + chart + " chart has one point per second of impression");
        }
        assertTrue(section.contains("<canvas"), "uPlot drew on its canvas");

        // The numbers shown are the learner's REST answers.
        assertEquals(String.valueOf(posterior.getLong("version")), field(section, "posterior-version"));
        assertEquals(posterior.getDouble("n"), Double.parseDouble(field(section, "posterior-n")), 0.05);
        assertEquals("enc", field(section, "encoder-version"));
        assertEquals("selector default", field(section, "exploration"));
        // Vitrine beside the incumbent, as the snapshot reports it: a served 4 times (3 clicks, propensity 0.6),
        // b twice (no click); Vitrine would always show a. IPS: (3 / 0.6) / 6.
        assertEquals("6", field(section, "apprentice-rounds"));
        assertEquals("4", field(section, "apprentice-agreed"));
        assertEquals(slot.getDouble("apprentice.incumbent.value"),
                Double.parseDouble(field(section, "apprentice-incumbent")), 5e-5);
        assertEquals(0.5, slot.getDouble("apprentice.incumbent.value"), 1e-6); // JsonPath reads floats
        assertEquals(3 / 0.6 / 6, slot.getDouble("apprentice.vitrine.value"), 1e-6);
        assertEquals(slot.getDouble("apprentice.vitrine.value"),
                Double.parseDouble(field(section, "apprentice-vitrine")), 5e-5);
        assertEquals(4 / 6.0, Double.parseDouble(field(section, "apprentice-agreement")), 5e-5);
        String candidateA = candidateRow(section, "a");
        assertEquals("4", field(candidateA, "shown"));
        assertEquals("3", field(candidateA, "clicks"));
        assertEquals(4 / 6.0, Double.parseDouble(field(candidateA, "share")), 5e-4);
        assertEquals(slot.getDouble("candidates.find { it.id == 'a' }.score"),
                Double.parseDouble(field(candidateA, "score")), 5e-4, "the score shown is the console's answer");
        assertEquals(slot.getDouble("candidates.find { it.id == 'a' }.uncertainty"),
                Double.parseDouble(field(candidateA, "uncertainty").replace("± ", "")), 5e-4);
        // Candidate a was learned with the embedding (1, 1): its posterior-mean score is the REST answer's mu summed.
        List<Float> mu = posterior.getList("mu", Float.class);
        assertEquals(mu.get(0) + mu.get(1), Double.parseDouble(field(candidateA, "score")), 5e-4,
                "the score shown is mu . z of GET /v1/posteriors");
        assertTrue(slot.getDouble("candidates.find { it.id == 'a' }.score")
                > slot.getDouble("candidates.find { it.id == 'b' }.score"), "the clicked candidate scores higher");
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher clicks = Pattern.compile("vitrine_rewards_total\\{kind=\"click\"} ([0-9.E]+)").matcher(metrics);
        assertTrue(clicks.find(), "click rewards on /q/metrics");
        assertEquals(String.valueOf((long) Double.parseDouble(clicks.group(1))), field(page, "rewards:click"),
                "the click rewards counter is the one on /q/metrics");

        Path shot = dir.resolve("console.png");
        Files.write(shot, png);
        BufferedImage image = ImageIO.read(shot.toFile());
        int coloured = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y);
                int r = rgb >> 16 & 0xff;
                int g = rgb >> 8 & 0xff;
                int b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                    coloured++;
                }
            }
        }
        assertTrue(coloured > 200, "coloured chart pixels in the screenshot: " + coloured);
    }

    /** The console's own snapshot of the slot once every reward reached the charts and the posterior. */
    private static JsonPath awaitSlot(int rewards) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonPath slot = null;
        while (System.nanoTime() < deadline) {
            JsonPath snapshot = given().get("/v1/console/snapshot").then().statusCode(200).extract().jsonPath();
            slot = snapshot.setRootPath("slots.find { it.slot == '" + SLOT + "' }");
            Object version = slot.get("posterior.version");
            List<Integer> perSecond = slot.getList("rewardsPerSecond", Integer.class);
            Object apprenticeRounds = slot.get("apprentice.rounds");
            if (version != null && ((Number) version).intValue() == rewards && perSecond != null
                    && perSecond.stream().mapToInt(Integer::intValue).sum() == rewards
                    && apprenticeRounds != null && ((Number) apprenticeRounds).intValue() == rewards) {
                return slot;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the console's snapshot never had the slot's " + rewards + " rewards: "
                + (slot == null ? null : slot.prettify()));
    }

    private static String attribute(String page, String tag, String name) {
        Matcher m = Pattern.compile("<" + tag + "[^>]*\\s" + name + "=\"([^\"]*)\"").matcher(page);
        assertTrue(m.find(), "no " + name + " on <" + tag + ">");
        return m.group(1);
    }

    private static String section(String page, String slot) {
        int start = page.indexOf("data-slot=\"" + slot + "\"");
        assertTrue(start >= 0, "the slot's section is on the page");
        int end = page.indexOf("</section>", start);
        return page.substring(start, end);
    }

    private static String candidateRow(String section, String id) {
        int start = section.indexOf("data-candidate=\"" + id + "\"");
        assertTrue(start >= 0, "candidate " + id + " is in the table");
        return section.substring(start, section.indexOf("</tr>", start));
    }

    private static String field(String html, String name) {
        Matcher m = Pattern.compile("data-field=\"" + Pattern.quote(name) + "\">([^<]*)<").matcher(html);
        assertTrue(m.find(), "field " + name + " is shown");
        return m.group(1);
    }
}
