package io.vitrine.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The learner load test in its smoke mode against the packaged learner on a broker of its own: with impressions and
 * clicks placed by Kafka's Java partitioner and by librdkafka's, every request's reward is read once and is in a
 * published posterior, and the report holds its delays. No timing is asserted.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LearnerLoadCommandTest {

    @Test
    void helpNamesThePlacementsAndTheGoal() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new CommandLine(new LearnerLoadCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                System.err)).setOut(new java.io.PrintWriter(out, true, StandardCharsets.UTF_8)).execute("--help");
        String help = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code);
        assertTrue(help.contains("--placements") && help.contains("--delay-goal") && help.contains("librdkafka"), help);
    }

    @Test
    void smokeRunRewardsEveryRequestOnceWhateverThePartitioner(@TempDir Path out) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int code = new CommandLine(new LearnerLoadCommand(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                System.err)).execute("--smoke", "--out", out.toString(), "--port-base", "19560");
        String printed = stdout.toString(StandardCharsets.UTF_8);
        System.out.print(printed);
        assertEquals(0, code, printed);

        JsonNode report = new ObjectMapper().readTree(out.resolve("learner-load.json").toFile());
        Set<String> placements = new HashSet<>();
        for (JsonNode step : report.get("steps")) {
            String placement = step.get("placement").asText();
            placements.add(placement);
            long requests = step.get("requests").asLong();
            assertTrue(requests > 0, placement + ": " + step);
            assertEquals(requests, step.get("rewards").asLong(), placement + ": every request rewarded, " + step);
            assertEquals(0, step.get("duplicates").asLong(), placement + ": none twice, " + step);
            assertEquals(requests, step.get("applied").asLong(), placement + ": all in a posterior, " + step);
            assertTrue(step.get("clicks").asLong() > 0, placement + ": some clicked, " + step);
            for (String delay : new String[] {"rewardP50", "rewardP99", "posteriorP99", "clickP99"}) {
                assertTrue(step.get(delay).isNumber() && step.get(delay).asDouble() >= 0, delay + ": " + step);
            }
            // With window-end timing a click's reward waits for its window (2 s here, less the click's 150 ms).
            assertTrue(step.get("clickP50").asDouble() >= 1_850, "click to posterior: " + step);
        }
        assertEquals(Set.of("java", "librdkafka"), placements);
        assertTrue(Files.size(out.resolve("learner-load.png")) > 0);
    }
}
