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
        String help = LoadCommandChecks.help(new HttpLoadCommand(System.out, System.err));
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
                assertTrue(LoadCommandChecks.checkedSteps(report, target) >= 1,
                        "no step of " + target + " in " + report);
            }
            assertTrue(Files.size(out.resolve("http-load.png")) > 0);
        }
    }
}
