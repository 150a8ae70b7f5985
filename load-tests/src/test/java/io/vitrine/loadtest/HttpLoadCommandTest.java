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
 * The HTTP load test in its smoke mode against the packaged selector: it runs, both targets are answered without
 * errors, and the report holds its numbers. No timing is asserted: this machine's speed is no test result.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HttpLoadCommandTest {

    @Test
    void helpNamesTheGoalAndTheStackOptions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new CommandLine(new HttpLoadCommand(new PrintStream(out, true, StandardCharsets.UTF_8), System.err))
                .setOut(new java.io.PrintWriter(out, true, StandardCharsets.UTF_8)).execute("--help");
        String help = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code);
        assertTrue(help.contains("--p99-goal") && help.contains("--selector-url") && help.contains("--smoke"), help);
    }

    @Test
    void smokeRunAnswersDecisionsAndBaselineWithoutErrorsAndWritesItsReport(@TempDir Path out) throws Exception {
        ServiceRun run = ServiceRun.fresh("http-load");
        try (ServiceProcess selector = run.selector("selector", List.of("-Dvitrine.selector.baseline-endpoint=true"))) {
            selector.start();
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            int code = new CommandLine(new HttpLoadCommand(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                    System.err)).execute("--smoke", "--selector-url", selector.uri().toString(), "--out", out.toString());
            String printed = stdout.toString(StandardCharsets.UTF_8);
            System.out.print(printed);
            assertEquals(0, code, printed);
            assertTrue(printed.contains("highest rate holding"), printed);

            JsonNode report = new ObjectMapper().readTree(out.resolve("http-load.json").toFile());
            assertEquals(20, report.get("candidates").asInt());
            assertEquals(32, report.get("dimension").asInt());
            for (String target : List.of("baseline", "decisions")) {
                int steps = 0;
                for (JsonNode step : report.get("steps")) {
                    if (!step.get("target").asText().equals(target)) {
                        continue;
                    }
                    steps++;
                    assertEquals(0, step.get("errors").size(), target + ": " + step);
                    assertEquals(step.get("sent").asLong(), step.get("ok").asLong(), target + ": " + step);
                    assertTrue(step.get("ok").asLong() > 0, target + ": " + step);
                    for (String percentile : List.of("p50", "p99", "max")) {
                        assertTrue(step.get(percentile).isNumber() && step.get(percentile).asDouble() > 0,
                                target + " " + percentile + ": " + step);
                    }
                }
                assertTrue(steps >= 1, "no step of " + target + " in " + report);
            }
            assertTrue(Files.size(out.resolve("http-load.png")) > 0);
        }
    }
}
