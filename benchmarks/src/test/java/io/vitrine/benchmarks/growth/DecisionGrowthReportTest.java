package io.vitrine.benchmarks.growth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecisionGrowthReportTest {

    @Test
    void tableOrdersByDrawsThenDimensionThenCandidatesWithTheCostPerUnitOfTheModel() throws Exception {
        String table = DecisionGrowthReport.table(JmhResults.read(JmhResultsTest.sample()));

        List<String> lines = table.lines().toList();
        assertEquals("| decision | M | K | d | fastest us | median us | p99 us | fastest / (K d), ns | median / (K d), ns |",
                lines.get(0));
        // Median 8.224 us / (20 x 32) = 12.85 ns; fastest 7.056 us / 640 = 11.03 ns.
        assertEquals("| choice only | 0 | 20 | 32 | 7.06 | 8.22 | 693 | 11.03 | 12.85 |", lines.get(2));
        assertEquals("| choice only | 0 | 100 | 32 | 23.62 | 26.18 | 4,112 | 7.38 | 8.18 |", lines.get(3));
        assertEquals("| as served | 256 | 20 | 32 | 44.22 | 123 | 11,088 | 69.10 | 192.40 |", lines.get(4));
        assertEquals("| as served | 256 | 100 | 32 | 222 | 310 | 8,566 | 69.36 | 96.96 |", lines.get(5));
        // 0.641 us / 32^2 = 0.626 ns.
        assertEquals("| update | 32 | 0.41 | 0.64 | 0.81 | 0.626 (per d^2) |", lines.get(9));
        assertEquals(10, lines.size());
    }

    @Test
    void plotIsAPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("growth.png");
        DecisionGrowthReport.writePlot(DecisionGrowthReport.decisions(JmhResults.read(JmhResultsTest.sample())), png,
                "test");

        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1100, image.getWidth());
        assertEquals(750, image.getHeight());
    }

    @Test
    void unitsBecomeNanoseconds() {
        assertEquals(1_500, DecisionGrowthReport.nanos(1.5, "us/op"), 1e-9);
        assertEquals(2_000_000, DecisionGrowthReport.nanos(2, "ms/op"), 1e-9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DecisionGrowthReport.nanos(1, "ops/s"));
        assertEquals("unit 'ops/s': expected ns/op, us/op, ms/op or s/op", e.getMessage());
    }
}
