package io.vitrine.cli.forms;

import io.vitrine.world.WorldSpec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncoderFormsCommandTest {

    private static final OfflineWorldRun.Settings SHORT = new OfflineWorldRun.Settings(8_000, 1_000, 2_000, 0.05);

    @Test
    void theBilinearFormRetrainsAndLearnsWhatTheBuiltInEncoderCannot() {
        WorldSpec world = new WorldSpec(4, 6, 8, 8, 1);
        OfflineWorldRun.Result builtIn = OfflineWorldRun.play(EncoderForm.BUILT_IN, world, SHORT);
        OfflineWorldRun.Result bilinear = OfflineWorldRun.play(EncoderForm.BILINEAR, world, SHORT);
        assertEquals(0, builtIn.trainings());
        assertEquals(32, builtIn.dimension());
        // 7,000 rewards reach the posterior in 8,000 decisions: a training at each 2,000.
        assertEquals(3, bilinear.trainings());
        assertEquals(18, bilinear.dimension());
        assertTrue(bilinear.lastHalfGapClosed() > builtIn.lastHalfGapClosed() + 0.05,
                bilinear + " against " + builtIn);
    }

    @Test
    void theTwoTowerFormRetrainsWithTheBilinearFormsDimension() {
        WorldSpec world = new WorldSpec(4, 6, 8, 8, 1);
        OfflineWorldRun.Result twoTower = OfflineWorldRun.play(EncoderForm.TWO_TOWER, world, SHORT);
        OfflineWorldRun.Result builtIn = OfflineWorldRun.play(EncoderForm.BUILT_IN, world, SHORT);
        assertEquals(3, twoTower.trainings());
        assertEquals(18, twoTower.dimension());
        assertTrue(twoTower.lastHalfGapClosed() > builtIn.lastHalfGapClosed() + 0.05, twoTower + " against " + builtIn);
    }

    @Test
    void theCeilingIsNeverRetrainedAndBeatsTheTrainedForm() {
        WorldSpec world = new WorldSpec(4, 6, 8, 8, 1);
        OfflineWorldRun.Result oracle = OfflineWorldRun.play(EncoderForm.ORACLE, world, SHORT);
        OfflineWorldRun.Result bilinear = OfflineWorldRun.play(EncoderForm.BILINEAR, world, SHORT);
        assertEquals(0, oracle.trainings());
        assertEquals(2, oracle.dimension());
        assertTrue(oracle.lastHalfGapClosed() > bilinear.lastHalfGapClosed(), oracle + " against " + bilinear);
    }

    @Test
    void aVersionServesOnlyAfterItsDelayAndNoTrainingStartsMeanwhile() {
        WorldSpec world = new WorldSpec(4, 6, 8, 8, 1);
        // The first training after 2,000 rewards (decision 3,000) serves from decision 6,000; the second, due then,
        // would serve from 9,000, after the run.
        OfflineWorldRun.Result delayed = OfflineWorldRun.play(EncoderForm.BILINEAR, world,
                new OfflineWorldRun.Settings(8_000, 1_000, 2_000, 0.05, 0, 3_000));
        assertEquals(2, delayed.trainings());
        assertEquals(18, delayed.dimension());
        OfflineWorldRun.Result atOnce = OfflineWorldRun.play(EncoderForm.BILINEAR, world, SHORT);
        assertTrue(delayed.lastHalfGapClosed() != atOnce.lastHalfGapClosed(), delayed + " against " + atOnce);
    }

    @Test
    void aHoldoutTrainsOnTheOldestRewardsOnly() {
        WorldSpec world = new WorldSpec(4, 6, 8, 8, 1);
        OfflineWorldRun.Result heldOut = OfflineWorldRun.play(EncoderForm.BILINEAR, world,
                new OfflineWorldRun.Settings(8_000, 1_000, 2_000, 0.05, 0.2, 0));
        OfflineWorldRun.Result all = OfflineWorldRun.play(EncoderForm.BILINEAR, world, SHORT);
        assertEquals(all.trainings(), heldOut.trainings());
        assertTrue(heldOut.lastHalfGapClosed() != all.lastHalfGapClosed(), heldOut + " against " + all);
    }

    @Test
    void aRunIsAFunctionOfItsSeed() {
        WorldSpec world = new WorldSpec(4, 6, 8, 8, 2);
        OfflineWorldRun.Settings settings = new OfflineWorldRun.Settings(3_000, 200, 1_000, 0.05);
        assertEquals(OfflineWorldRun.play(EncoderForm.BILINEAR, world, settings),
                OfflineWorldRun.play(EncoderForm.BILINEAR, world, settings));
    }

    @Test
    void printsOneRowPerFormAndRefusesBadOptions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new EncoderFormsCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals(0, cli.execute("--seeds", "1,2", "--decisions", "2000", "--forms", "BUILT_IN,BILINEAR"));
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("seed 1") && table.contains("seed 2"), table);
        assertTrue(table.lines().anyMatch(l -> l.trim().startsWith("BUILT_IN")), table);
        assertTrue(table.lines().anyMatch(l -> l.trim().startsWith("BILINEAR")), table);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("[4/4]"), "progress on stderr");

        assertEquals(1, cli.execute("--decisions", "1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("encoder-forms: need decisions >= 2"));
    }
}
