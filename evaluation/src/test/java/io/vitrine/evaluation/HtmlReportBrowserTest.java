package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The HTML report in a real headless browser (Debian's {@code chromium}): it loads, every plot decodes, and a
 * screenshot shows them. Runs in the {@code browser} profile, on where {@code /usr/bin/chromium} exists.
 */
class HtmlReportBrowserTest {

    private static final String CHROMIUM = "/usr/bin/chromium";

    @Test
    void reportLoadsAndItsPlotsShowInChromium() throws Exception {
        Path dir = Files.createDirectories(Path.of("target/browser-test"));
        Path csv = dir.resolve("log.csv");
        PublicLayoutFile.write(csv, 3_000);
        Path html = dir.resolve("report.html").toAbsolutePath();
        int exit = new CommandLine(new EvaluateCommand()).execute(csv.toString(), "--policy",
                "uniform,always:2,logging", "--html", html.toString());
        assertEquals(0, exit);

        Browser dom = chromium(dir, "--dump-dom", html.toUri().toString());
        assertEquals(0, dom.exit(), dom.errors());
        java.util.regex.Matcher state = java.util.regex.Pattern.compile("data-images=\"(\\w+)\"").matcher(dom.out());
        assertTrue(state.find(), "the page's body: " + dom.out().substring(0, Math.min(300, dom.out().length())));
        assertEquals("ok", state.group(1), "the page loaded with every plot decoded");
        assertTrue(dom.out().contains("always:2") && dom.out().contains("doubly robust"), "the tables are there");
        // The log has three positions: the whole page and the position slices with their plot.
        assertTrue(dom.out().contains("Whole page") && dom.out().contains("By position"), "the slices are there");
        assertTrue(dom.out().contains("alt=\"estimates by position\""), "the slices' plot is there");
        assertTrue(!dom.errors().contains("Uncaught"), "no script error: " + dom.errors());

        Path shot = dir.resolve("report.png").toAbsolutePath();
        Browser screenshot = chromium(dir, "--screenshot=" + shot, "--window-size=1100,6000",
                html.toUri().toString());
        assertEquals(0, screenshot.exit(), screenshot.errors());
        BufferedImage image = ImageIO.read(shot.toFile());
        assertEquals(1100, image.getWidth());
        // The plots are drawn in colour: count the pixels that are neither white nor grey.
        int coloured = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y);
                int r = rgb >> 16 & 0xff;
                int g = rgb >> 8 & 0xff;
                int b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                    coloured++;
                }
            }
        }
        assertTrue(coloured > 500, "coloured plot pixels in the screenshot: " + coloured);
    }

    private record Browser(int exit, String out, String errors) {
    }

    private static Browser chromium(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--virtual-time-budget=5000", "--user-data-dir=" + dir.resolve("profile")
                        .toAbsolutePath()));
        command.addAll(List.of(args));
        Path out = dir.resolve("chromium.out");
        Path err = dir.resolve("chromium.err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish in 60 s");
        }
        return new Browser(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
