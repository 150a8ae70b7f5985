package io.vitrine.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;

/** What the tests of the open-loop load commands check alike: their help, and the steps of their reports. */
final class LoadCommandChecks {

    private LoadCommandChecks() {
    }

    /** The command's {@code --help}, which must exit 0. */
    static String help(Object command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new CommandLine(command).setOut(new PrintWriter(out, true, StandardCharsets.UTF_8))
                .execute("--help");
        String help = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, help);
        return help;
    }

    /**
     * Checks that every step of {@code target} in a report answered each request it sent rightly, without errors,
     * and has its percentiles; returns how many steps the target had.
     */
    static int checkedSteps(JsonNode report, String target) {
        int steps = 0;
        for (JsonNode step : report.get("steps")) {
            if (!step.get("target").asText().equals(target)) {
                continue;
            }
            steps++;
            assertEquals(0, step.get("errors").size(), target + ": " + step);
            assertTrue(step.get("ok").asLong() > 0, target + ": " + step);
            assertEquals(step.get("sent").asLong(), step.get("ok").asLong(), target + ": " + step);
            for (String percentile : List.of("p50", "p99", "max")) {
                assertTrue(step.get(percentile).isNumber() && step.get(percentile).asDouble() > 0,
                        target + " " + percentile + ": " + step);
            }
        }
        return steps;
    }
}
