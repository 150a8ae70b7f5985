package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Estimates by position, whole page, segment and time bucket, on the pandas fixture (3 positions, 240 rows). */
class SlicesTest {

    @TempDir
    Path dir;

    @Test
    void positionsSegmentsAndHoursAreEstimatedSeparatelyAndThePageSumsThePositions() throws Exception {
        Path log = RealWorldLogsTest.fixture("pandas-index.csv");
        Path json = dir.resolve("out.json");
        EvaluateRun run = EvaluateRun.of(log.toString(), "--policy", "logging,uniform", "--segment-column", "segment",
                "--time-bucket", "hour", "--json", json.toString(), "--replicates", "100");
        assertEquals(0, run.exit(), run.err());

        // By hand from the file: the mean click of each position, segment and hour (the logging target's IPS,
        // whose weights are all 1).
        List<String> lines = Files.readAllLines(log);
        Map<String, double[]> byPosition = new TreeMap<>();
        Map<String, double[]> byHour = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split(",");
            double click = Double.parseDouble(v[4]);
            byPosition.computeIfAbsent(v[3], k -> new double[2])[0] += click;
            byPosition.get(v[3])[1]++;
            String hour = v[1].substring(0, 13) + ":00";
            byHour.computeIfAbsent(hour, k -> new double[2])[0] += click;
            byHour.get(hour)[1]++;
        }
        JsonNode out = new ObjectMapper().readTree(json.toFile());
        Map<String, Double> loggingIps = new TreeMap<>();
        List<String> dimensions = new ArrayList<>();
        for (JsonNode slice : out.get("slices")) {
            String key = slice.get("dimension").asText() + "=" + slice.get("value").asText();
            if (!dimensions.contains(slice.get("dimension").asText())) {
                dimensions.add(slice.get("dimension").asText());
            }
            JsonNode logging = slice.get("policies").get(0);
            assertEquals("logging", logging.get("policy").asText());
            for (JsonNode e : logging.get("estimates")) {
                if (e.get("estimator").asText().equals("IPS")) {
                    loggingIps.put(key, e.get("value").asDouble());
                    assertTrue(e.get("low").asDouble() <= e.get("value").asDouble(), key);
                }
            }
        }
        assertEquals(List.of("position", "segment", "hour"), dimensions);
        double page = 0;
        for (Map.Entry<String, double[]> p : byPosition.entrySet()) {
            double mean = p.getValue()[0] / p.getValue()[1];
            assertEquals(mean, loggingIps.get("position=" + p.getKey()), 1e-12, "position " + p.getKey());
            page += mean;
        }
        for (Map.Entry<String, double[]> h : byHour.entrySet()) {
            assertEquals(h.getValue()[0] / h.getValue()[1], loggingIps.get("hour=" + h.getKey().replace('T', ' ')),
                    1e-12, "hour " + h.getKey());
        }
        assertEquals(3, loggingIps.keySet().stream().filter(k -> k.startsWith("segment=")).count(),
                "three segments, one with a comma and one with quotes in its name");
        assertTrue(loggingIps.containsKey("segment=new, first visit") && loggingIps.containsKey("segment=said \"hi\""));

        JsonNode pageReport = out.get("page").get(0);
        assertEquals(3, pageReport.get("positions").asInt());
        for (JsonNode e : pageReport.get("estimates")) {
            if (e.get("estimator").asText().equals("IPS")) {
                assertEquals(page, e.get("value").asDouble(), 1e-12, "the page is the sum of its positions");
            }
        }
        assertTrue(run.out().contains("logging, whole page (sum over 3 positions)"), run.out());
        assertTrue(run.out().contains("by position") && run.out().contains("position = 2, uniform"), run.out());
        assertTrue(run.out().contains("by hour") && run.out().contains("hour = 2019-11-24 01:00, logging"), run.out());
    }

    @Test
    void aLogWithoutPositionsHasNoPositionSlicesAndABadTimestampIsNamed() throws Exception {
        Path csv = dir.resolve("log.csv");
        Files.write(csv, List.of("timestamp,item_id,click,propensity_score", "2026-12-01T10:00:00Z,0,1,0.5",
                "yesterday,1,0,0.5"));
        EvaluateRun plain = EvaluateRun.of(csv.toString(), "--replicates", "50");
        assertEquals(0, plain.exit(), plain.err());
        assertTrue(!plain.out().contains("by position"), plain.out());
        EvaluateRun hourly = EvaluateRun.of(csv.toString(), "--time-bucket", "day");
        assertEquals(1, hourly.exit());
        assertTrue(hourly.err().contains("line 3, column 1 (timestamp): expected a timestamp such as "
                + "2019-11-24 00:00:37 or 2019-11-24T00:00:37Z, found 'yesterday'"), hourly.err());
    }
}
