package io.vitrine.learner;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.schemas.Topic;
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
 * update, draws its charts with data, and shows the same numbers as the learner's REST answers.
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
        for (int i = 0; i < shown.length; i++) {
            String requestId = "console-" + i + "-" + System.nanoTime();
            Instant at = start.plusSeconds(i);
            String candidate = shown[i];
            float feature = candidate.equals("a") ? 1f : -1f;
            LearnerServiceTest.send(Topic.DECISIONS, requestId, Decision.newBuilder()
                    .setRequestId(requestId).setSlot(SLOT).setScope(SCOPE).setTimestamp(at)
                    .setContext(List.of(1f))
                    .setCandidates(List.of(new Candidate("a", List.of(1f)), new Candidate("b", List.of(-1f))))
                    .setK(1).setChosen(List.of(new ChosenCandidate(candidate, 0, 0.5, 0.5, 1.0,
                            List.of(feature, 1f), null)))
                    .setSeed(3L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(1).build(), at);
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
        byte[] png;
        try (HeadlessChromium browser = new HeadlessChromium(dir.resolve("profile"), console.toString(), 1100, 1000)) {
            // A live update: the page took a second snapshot from the event stream, without a reload.
            browser.await("!!document.body && Number(document.body.dataset.updates) >= 2", Duration.ofSeconds(30));
            assertEquals("live", browser.evaluate("document.body.dataset.state").asText(),
                    "the page is connected to the event stream");
            page = browser.evaluate("document.documentElement.outerHTML").asText();
            png = browser.screenshot();
        }
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
            if (version != null && ((Number) version).intValue() == rewards && perSecond != null
                    && perSecond.stream().mapToInt(Integer::intValue).sum() == rewards) {
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
