package io.vitrine.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class QualityCommandTest {

    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = QualityCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpDescribesTheOptions() {
        StringWriter out = new StringWriter();
        assertEquals(0, run(out, new StringWriter(), "--help"));
        for (String option : new String[] {"--env", "--seeds", "--deltas", "--wheel-rounds", "--image-rounds", "--out"}) {
            assertTrue(out.toString().contains(option), option + " missing from:\n" + out);
        }
    }

    @Test
    void badSettingsExitNonZero() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "--deltas", "1.5"));
        assertTrue(err.toString().contains("delta"), err.toString());
        assertEquals(2, run(new StringWriter(), new StringWriter(), "--env", "moon"));
    }

    @Test
    void aSmallRunWritesTheReport(@TempDir Path out) throws Exception {
        assertEquals(0, run(new StringWriter(), new StringWriter(), "--seeds", "2", "--deltas", "0.5,0.9",
                "--wheel-rounds", "200", "--image-rounds", "300", "--out", out.toString()));
        String md = Files.readString(out.resolve("quality.md"));
        assertTrue(md.contains("| Uniform | 100.00 ± 0.00 | 100.00 ± 0.00 |"), md);
        assertTrue(md.contains("| Oracle | 100.0% ± 0.0 |"), md);
        assertTrue(md.contains("--wheel-rounds 200"), md);
        for (String file : new String[] {"wheel.png", "images-ctr.png", "images-regret.png", "quality.json"}) {
            assertTrue(Files.size(out.resolve("quality").resolve(file)) > 1000, file);
        }
    }

    @Test
    void theLongerWheelTableHasItsOwnSeedCount(@TempDir Path out) throws Exception {
        assertEquals(0, run(new StringWriter(), new StringWriter(), "--env", "wheel", "--seeds", "3", "--deltas", "0.5",
                "--wheel-rounds", "50", "--wheel-long-rounds", "80", "--wheel-long-deltas", "0.9",
                "--wheel-long-seeds", "2", "--out", out.toString()));
        String md = Files.readString(out.resolve("quality.md"));
        assertTrue(md.contains("50 decisions per run (`num_contexts` of the reference), 3 seeds per δ."), md);
        assertTrue(md.contains("deviation over 2 seeds:"), md);
        assertTrue(md.contains("--wheel-long-deltas 0.9 --wheel-long-seeds 2"), md);
        JsonNode runs = new ObjectMapper()
                .readTree(out.resolve("quality").resolve("quality.json").toFile()).get("runs");
        int longRuns = 0;
        int shortRuns = 0;
        for (JsonNode r : runs) {
            longRuns += r.get("rounds").asInt() == 80 ? 1 : 0;
            shortRuns += r.get("rounds").asInt() == 50 ? 1 : 0;
        }
        assertEquals(2 * Lineups.wheel().size(), longRuns);
        assertEquals(3 * Lineups.wheel().size(), shortRuns);
    }

    @Test
    void handWrittenNotesSurviveRegeneration(@TempDir Path out) throws Exception {
        String[] args = {"--env", "wheel", "--seeds", "2", "--deltas", "0.5", "--wheel-rounds", "100",
            "--out", out.toString()};
        assertEquals(0, run(new StringWriter(), new StringWriter(), args));
        Path md = out.resolve("quality.md");
        String notes = Report.NOTES_START + "\nWhy the numbers look like this.\n" + Report.NOTES_END;
        Files.writeString(md, Files.readString(md) + notes + "\n");
        assertEquals(0, run(new StringWriter(), new StringWriter(), args));
        assertTrue(Files.readString(md).contains(notes));
    }
}
