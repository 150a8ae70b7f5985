package io.vitrine.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.e2e.ServiceProcess;
import io.vitrine.e2e.ServiceRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The topic-path load test in its smoke mode against the packaged selector: every request produced to
 * decision-requests is answered by its decision, every raw record is read back, no errors, and the report holds its
 * numbers and both ratios. No timing is asserted: this machine's speed is no test result.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TopicLoadCommandTest {

    @Test
    void helpNamesTheBaselineTheGoalsAndTheStackOptions() {
        String help = LoadCommandChecks.help(new TopicLoadCommand(System.out, System.err));
        assertTrue(help.contains("raw round trip") && help.contains("--compare-rate") && help.contains("--bootstrap")
                && help.contains("--smoke"), help);
    }

    @Test
    void aRunningStackNeedsItsBrokerAndPrefixToo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new CommandLine(new TopicLoadCommand(System.out, new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--selector-url", "http://localhost:1");
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--bootstrap"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void smokeRunAnswersEveryRequestOnBothTargetsAndWritesItsReport(@TempDir Path out) throws Exception {
        ServiceRun run = ServiceRun.fresh("topic-load");
        try (ServiceProcess selector = run.selector("selector", List.of())) {
            selector.start();
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            int code = new CommandLine(new TopicLoadCommand(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                    System.err)).execute("--smoke", "--selector-url", selector.uri().toString(), "--bootstrap",
                    run.bootstrap(), "--topic-prefix", run.prefix(), "--out", out.toString());
            String printed = stdout.toString(StandardCharsets.UTF_8);
            System.out.print(printed);
            assertEquals(0, code, printed);
            assertTrue(printed.contains("topic / raw sustainable rate") && printed.contains("topic / raw p99"), printed);

            JsonNode report = new ObjectMapper().readTree(out.resolve("topic-load.json").toFile());
            assertEquals(20, report.get("candidates").asInt());
            assertEquals(32, report.get("dimension").asInt());
            assertTrue(report.get("requestBytes").asInt() > 0, report.toString());
            for (String target : List.of("raw", "topic")) {
                assertEquals(2, LoadCommandChecks.checkedSteps(report, target), "both rates of " + target + " in "
                        + report);
                assertTrue(report.get("answerBytes").get(target).asDouble() > 0, report.toString());
            }
            // A decision carries the request and what was chosen: larger than the request itself.
            assertTrue(report.get("answerBytes").get("topic").asDouble() > report.get("requestBytes").asInt(),
                    report.toString());
            // The sustainable rates' ratio is null when a target answered under 90% of a rate within a step of a
            // few seconds (a loaded machine); the p99s' ratio is there whenever both ran at the compared rate.
            assertTrue(report.has("sustainableRatio"), report.toString());
            assertTrue(report.get("p99Ratio").isNumber() && report.get("p99Ratio").asDouble() > 0, report.toString());
            assertTrue(Files.size(out.resolve("topic-load.png")) > 0);
        }
    }
}
