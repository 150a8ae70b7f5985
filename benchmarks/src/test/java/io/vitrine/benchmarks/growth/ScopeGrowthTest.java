package io.vitrine.benchmarks.growth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.benchmarks.growth.ScopeGrowth.Run;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScopeGrowthTest {

    private static String resource(String name) throws Exception {
        return Files.readString(Path.of(ScopeGrowthTest.class.getResource(name).toURI()));
    }

    /** Outputs of {@code jcmd <pid> GC.heap_info} from OpenJDK 17. */
    @Test
    void heapUsedFromG1AndFromSerialGenerations() throws Exception {
        assertEquals(17_946L * 1024, ScopeGrowth.heapUsed(resource("heap-info-g1.txt")));
        assertEquals((20_659L + 0) * 1024, ScopeGrowth.heapUsed(resource("heap-info-serial.txt")));
    }

    @Test
    void heapInfoWithoutAHeapLineIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScopeGrowth.heapUsed("12345:\n Metaspace       used 8918K, committed 9088K, reserved 1114112K\n"));
        assertTrue(e.getMessage().contains("GC.heap_info") && e.getMessage().contains("Metaspace"), e.getMessage());
    }

    @Test
    void publicationsPeakIsTheBusiestSecond() {
        ScopeGrowth.Publications publications = new ScopeGrowth.Publications();
        publications.add(1_000, 100);
        publications.add(1_999, 100);
        publications.add(2_000, 150);
        publications.add(5_500, 10);

        assertEquals(4, publications.snapshots());
        assertEquals(360, publications.bytes());
        assertEquals(200, publications.peakBytesPerSecond());
        assertEquals(2, publications.peakSnapshotsPerSecond());
    }

    @Test
    void resultsRoundTripAndPlot(@TempDir Path dir) throws IOException {
        List<Run> runs = List.of(
                new Run(1_000, 32, 1_100, 0.5, 3.0, 9_000_000, 9_500_000, 9_800_000, 1_100, 8_900, 8_900_000, 1_000,
                        12.0, 12.5, 0.5, 1_000, 30.0, 8.0, 60_000_000, "2026-12-07T08:00:00Z"),
                new Run(10_000, 32, 11_000, 2.0, 9.0, 90_000_000, 95_000_000, 98_000_000, 11_000, 8_900, 89_000_000,
                        10_000, 12.0, 15.0, 3.0, 10_000, 33.0, 10.0, 140_000_000, "2026-12-07T08:10:00Z"));
        Path json = dir.resolve("runs.json");
        Files.writeString(json, ScopeGrowth.json().writeValueAsString(runs));

        assertEquals(runs, ScopeGrowth.readRuns(json));
        Path png = dir.resolve("scopes.png");
        ScopeGrowthPlot.write(runs, png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1100, image.getWidth());
    }

    @Test
    void aResultsFileOfAnotherShapeIsNamed(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("other.json");
        Files.writeString(json, "{\"scopes\": 3}");
        IOException e = assertThrows(IOException.class, () -> ScopeGrowth.readRuns(json));
        assertTrue(e.getMessage().contains("other.json"), e.getMessage());
        assertEquals(List.of(), ScopeGrowth.readRuns(dir.resolve("absent.json")));
    }
}
