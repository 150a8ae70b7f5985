package io.vitrine.benchmarks.growth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.benchmarks.growth.JmhResults.Result;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmhResultsTest {

    /** Five results of a real run of JMH 1.37 with -rf json (raw histograms removed to keep the file small). */
    static Path sample() throws URISyntaxException {
        return Path.of(JmhResultsTest.class.getResource("jmh-sample.json").toURI());
    }

    @Test
    void readsMethodParametersAndPercentiles() throws Exception {
        List<Result> results = JmhResults.read(sample());

        assertEquals(5, results.size());
        Result first = results.get(0);
        assertEquals("io.vitrine.benchmarks.DecisionBenchmark.decision", first.benchmark());
        assertEquals("decision", first.method());
        assertEquals(Map.of("K", "20", "M", "0", "d", "32", "features", "gaussian"), first.params());
        assertEquals(7.056, first.fastest(), 1e-9);
        assertEquals(8.224, first.median(), 1e-9);
        assertEquals(692.808, first.p99(), 1e-3);
        assertEquals("us/op", first.unit());
        assertEquals(100, results.get(2).intParam("K"));
        Result update = results.get(4);
        assertEquals("update", update.method());
        assertEquals(Map.of("d", "32"), update.params());
        assertEquals(0.641, update.median(), 1e-9);
    }

    @Test
    void aMissingParameterIsNamed() throws Exception {
        Result update = JmhResults.read(sample()).get(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> update.intParam("K"));
        assertTrue(e.getMessage().contains("PosteriorBenchmark.update") && e.getMessage().contains("no parameter K"),
                e.getMessage());
    }

    @Test
    void anotherModeIsRefusedNamingTheResult(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("avgt.json");
        Files.writeString(json, """
                [{"benchmark": "a.B.ok", "mode": "sample", "params": {},
                  "primaryMetric": {"scoreUnit": "us/op", "scorePercentiles": {"0.0": 0.5, "50.0": 1.0, "99.0": 2.0}}},
                 {"benchmark": "a.B.average", "mode": "avgt",
                  "primaryMetric": {"scoreUnit": "us/op", "score": 1.0}}]
                """);
        IOException e = assertThrows(IOException.class, () -> JmhResults.read(json));
        assertTrue(e.getMessage().contains("result 1") && e.getMessage().contains("a.B.average")
                && e.getMessage().contains("'avgt'"), e.getMessage());
    }

    @Test
    void aFileThatIsNotJmhsIsRefused(@TempDir Path dir) throws IOException {
        Path notArray = dir.resolve("object.json");
        Files.writeString(notArray, "{\"benchmark\": \"x\"}");
        IOException e = assertThrows(IOException.class, () -> JmhResults.read(notArray));
        assertTrue(e.getMessage().contains("object.json") && e.getMessage().contains("array"), e.getMessage());

        Path text = dir.resolve("log.txt");
        Files.writeString(text, "# Run complete. Total time: 00:03:12");
        e = assertThrows(IOException.class, () -> JmhResults.read(text));
        assertTrue(e.getMessage().contains("log.txt") && e.getMessage().contains("-rf json"), e.getMessage());

        Path missing = dir.resolve("missing.json");
        Files.writeString(missing, """
                [{"benchmark": "a.B.c", "mode": "sample", "params": {},
                  "primaryMetric": {"scoreUnit": "us/op", "scorePercentiles": {"0.0": 0.5, "50.0": 1.0}}}]
                """);
        e = assertThrows(IOException.class, () -> JmhResults.read(missing));
        assertTrue(e.getMessage().contains("result 0") && e.getMessage().contains("'99.0'"), e.getMessage());
    }
}
