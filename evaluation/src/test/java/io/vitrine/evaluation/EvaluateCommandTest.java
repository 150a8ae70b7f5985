package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vitrine evaluate} on files in the common public layout, and on broken files. */
class EvaluateCommandTest {

    @TempDir
    Path dir;

    private static EvaluateRun evaluate(String... args) {
        return EvaluateRun.of(args);
    }

    @Test
    void publicLayoutCsvIsEvaluatedWithTheDefaultMappingAndTheEstimatesHitTheTruth() throws Exception {
        Path csv = dir.resolve("open-bandit.csv");
        LinearClickWorld world = PublicLayoutFile.write(csv, 6_000);
        Path json = dir.resolve("estimates.json");
        EvaluateRun run = evaluate(csv.toString(), "--policy", "uniform,always:2,logging", "--json", json.toString());
        assertEquals(0, run.exit(), run.err());

        JsonNode policies = new ObjectMapper().readTree(json.toFile()).get("policies");
        assertEquals(3, policies.size());
        double always2 = world.value(TargetPolicies.always(2), 200_000, 1);
        double uniform = world.value(TargetPolicies.uniform(), 200_000, 1);
        for (JsonNode policy : policies) {
            for (JsonNode estimate : policy.get("estimates")) {
                double value = estimate.get("value").asDouble();
                String what = policy.get("policy").asText() + " / " + estimate.get("estimator").asText();
                switch (policy.get("policy").asText()) {
                    case "always:2" -> {
                        assertTrue(Math.abs(value - always2) < 0.04, what + " " + value + " vs " + always2);
                        assertTrue(estimate.get("low").asDouble() < value && value < estimate.get("high").asDouble());
                    }
                    case "uniform" -> assertTrue(Math.abs(value - uniform) < 0.03, what + " " + value);
                    default -> { }
                }
            }
        }
        // The logging policy's IPS weights are all 1: its IPS estimate is the log's mean click.
        double meanClick = new LogReader(ColumnMapping.publicLayout(), false).read(csv).rounds().stream()
                .mapToDouble(LoggedRound::reward).average().orElseThrow();
        JsonNode logging = policies.get(2);
        assertEquals("IPS", logging.get("estimates").get(1).get("estimator").asText());
        assertEquals(meanClick, logging.get("estimates").get(1).get("value").asDouble(), 1e-12);
        assertEquals(6_000, logging.get("diagnostics").get("effectiveSize").asDouble(), 1e-6);
    }

    @Test
    void jsonlWithTheSameFieldsReadsTheSameRounds() throws Exception {
        Path csv = dir.resolve("log.csv");
        PublicLayoutFile.write(csv, 50);
        List<String> lines = Files.readAllLines(csv);
        String[] names = lines.get(0).split(",");
        List<String> jsonl = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",");
            StringBuilder object = new StringBuilder("{");
            for (int i = 0; i < names.length; i++) {
                object.append(i > 0 ? "," : "").append('"').append(names[i]).append("\":\"").append(values[i])
                        .append('"');
            }
            jsonl.add(object.append('}').toString());
        }
        Path file = dir.resolve("log.jsonl");
        Files.write(file, jsonl);
        LogReader reader = new LogReader(ColumnMapping.publicLayout(), false);
        List<LoggedRound> fromCsv = reader.read(csv).rounds();
        List<LoggedRound> fromJsonl = reader.read(file).rounds();
        assertEquals(fromCsv.size(), fromJsonl.size());
        for (int t = 0; t < fromCsv.size(); t++) {
            assertEquals(fromCsv.get(t).action(), fromJsonl.get(t).action());
            assertEquals(fromCsv.get(t).reward(), fromJsonl.get(t).reward());
            assertTrue(java.util.Arrays.equals(fromCsv.get(t).context(), fromJsonl.get(t).context()));
        }
    }

    @Test
    void missingColumnIsNamedWithTheLine() throws Exception {
        Path csv = dir.resolve("no-propensity.csv");
        Files.write(csv, List.of("item_id,click,user_feature_0", "1,0,0.5"));
        EvaluateRun run = evaluate(csv.toString());
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("line 1: no column 'propensity_score'"), run.err());
    }

    @Test
    void propensityOutsideTheIntervalStopsTheReadAtItsLineOrIsSkippedWhenLenient() throws Exception {
        Path csv = dir.resolve("bad-propensity.csv");
        Files.write(csv, List.of("item_id,click,propensity_score,user_feature_0", "0,1,0.5,0.1", "1,0,0.5,0.2",
                "1,1,0,0.3", "0,0,0.5,0.4", "1,0,1.5,0.5"));
        EvaluateRun strict = evaluate(csv.toString());
        assertEquals(1, strict.exit());
        assertTrue(strict.err().contains("bad-propensity.csv: line 4, column 3 (propensity_score): expected a "
                + "propensity in (0, 1], found '0'"), strict.err());

        EvaluateRun lenient = evaluate(csv.toString(), "--lenient");
        assertEquals(0, lenient.exit(), lenient.err());
        assertTrue(lenient.err().contains("3 rounds read") && lenient.err().contains("2 rows skipped"), lenient.err());
    }

    @Test
    void unknownActionAndNonNumbersNameTheirLine() throws Exception {
        Path csv = dir.resolve("bad-action.csv");
        Files.write(csv, List.of("item_id,click,propensity_score,user_feature_0", "0,1,0.5,0.1", "4,0,0.5,0.2"));
        EvaluateRun run = evaluate(csv.toString(), "--actions", "3");
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("line 3 (item_id): expected one of the 3 actions (ids 0 to 2), found 4"), run.err());

        Path words = dir.resolve("bad-click.csv");
        Files.write(words, List.of("item_id,click,propensity_score", "0,yes,0.5"));
        EvaluateRun notNumber = evaluate(words.toString());
        assertEquals(1, notNumber.exit());
        assertTrue(notNumber.err().contains("line 2, column 2 (click): expected a reward, a finite number, "
                + "found 'yes'"), notNumber.err());
    }

    @Test
    void unknownPolicyIsABadOption() {
        EvaluateRun run = evaluate(dir.resolve("any.csv").toString(), "--policy", "oracle");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("unknown target policy 'oracle'"), run.err());
    }
}
