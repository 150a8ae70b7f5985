package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.core.bandit.Policies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The report says when an interval cannot be trusted ({@link Trust}) instead of printing it as if it held. */
class TrustTest {

    private static final Evaluator EVALUATOR = new Evaluator(Evaluator.standardEstimators(20), new Bootstrap(200,
            0.95), 20);

    private static Map<String, Evaluator.Estimate> evaluate(List<LoggedRound> log, TargetPolicy target) {
        return EVALUATOR.evaluate(log, target, 3).estimates().stream()
                .collect(Collectors.toMap(Evaluator.Estimate::estimator, Function.identity()));
    }

    /** Uniformly logged rounds of {@code actions} actions with clicks at 0.5%, action {@code absent} never taken. */
    private static List<LoggedRound> sparse(int rounds, int actions, int absent) {
        java.util.Random random = new java.util.Random(5);
        List<LoggedRound> log = new ArrayList<>();
        while (log.size() < rounds) {
            int a = random.nextInt(actions);
            if (a != absent) {
                log.add(new LoggedRound(new float[] {random.nextFloat()}, actions, a,
                        random.nextDouble() < 0.005 ? 1 : 0, 1.0 / actions));
            }
        }
        return log;
    }

    @Test
    void aTargetOnAnActionTheLogNeverTookHasNoTrustedIntervalButTheModelsEstimate() {
        Map<String, Evaluator.Estimate> e = evaluate(sparse(10_000, 20, 0), TargetPolicies.always(0));
        for (String name : List.of("IPS", "SNIPS", "doubly robust", "replay", "clipped IPS (M = 20)")) {
            assertTrue(e.get(name).untrusted() != null && e.get(name).untrusted().startsWith("missing support: the "
                    + "target puts 100.0% of its probability on actions the log never took"), name + ": "
                    + e.get(name).untrusted());
        }
        assertEquals(0, e.get("IPS").value(), "IPS reads the unseen action as reward 0: an estimate, not a truth");
    }

    @Test
    void aDeterministicTargetOfManyActionsFlagsItsClippedIpsAndFewMatches() {
        // 80 actions, 10,000 rounds: always:5 keeps about 125 rounds, and its weight 80 is far above the clip 20.
        Map<String, Evaluator.Estimate> e = evaluate(sparse(10_000, 80, -1), TargetPolicies.always(5));
        assertTrue(e.get("clipped IPS (M = 20)").untrusted().startsWith("clipping bias"),
                e.get("clipped IPS (M = 20)").untrusted());
        assertNull(e.get("IPS").untrusted(), "an effective sample of about 125 rounds is enough to report");

        Map<String, Evaluator.Estimate> small = evaluate(sparse(1_000, 80, -1), TargetPolicies.always(5));
        assertTrue(small.get("replay").untrusted().startsWith("only "), small.get("replay").untrusted());
        assertTrue(small.get("IPS").untrusted().startsWith("an effective sample of only"),
                small.get("IPS").untrusted());
    }

    @Test
    void aWellSupportedTargetIsTrustedEverywhere() {
        LinearClickWorld world = new LinearClickWorld(4, 3, 5);
        List<LoggedRound> log = StudyPolicies.log(world, Policies.uniform(3), 3_000, 0, 0, 8);
        for (Evaluator.Estimate estimate : evaluate(log, TargetPolicies.uniform()).values()) {
            assertNull(estimate.untrusted(), estimate.estimator());
        }
    }

    @Test
    void theTableSaysWhyInsteadOfPrintingTheInterval() throws Exception {
        java.nio.file.Path csv = java.nio.file.Files.createTempFile("never-taken", ".csv");
        List<String> lines = new ArrayList<>(List.of("item_id,click,propensity_score"));
        for (int t = 0; t < 200; t++) {
            lines.add((1 + t % 3) + "," + (t % 7 == 0 ? 1 : 0) + ",0.25");
        }
        java.nio.file.Files.write(csv, lines);
        EvaluateRun run = EvaluateRun.of(csv.toString(), "--policy", "always:0", "--actions", "4", "--replicates", "50");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("IPS                        0.00000   no interval to trust: missing support"),
                run.out());
        java.nio.file.Files.delete(csv);
    }
}
