package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.core.bandit.Policies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets given from outside, checked against values computed by hand on a six-round log of three actions with
 * no context, evaluated with the ridge reward model (so the reward model is each action's mean reward: 0.5, 0 and
 * 1; the default logistic model shrinks them towards each other):
 * <pre>
 *   t  action  reward  propensity  position
 *   0    0       1       0.5          1
 *   1    1       0       0.25         1
 *   2    2       1       0.25         1
 *   3    0       0       0.5          2
 *   4    1       0       0.25         2
 *   5    2       1       0.25         2
 * </pre>
 */
class ExternalTargetsTest {

    @TempDir
    Path dir;

    private Path log() throws Exception {
        Path log = dir.resolve("log.csv");
        Files.write(log, List.of("item_id,click,propensity_score,position", "0,1,0.5,1", "1,0,0.25,1", "2,1,0.25,1",
                "0,0,0.5,2", "1,0,0.25,2", "2,1,0.25,2"));
        return log;
    }

    /** The estimates of one target by estimator name, from the command's JSON. */
    private Map<String, Double> estimates(String policy) throws Exception {
        Path json = dir.resolve("out.json");
        EvaluateRun run = EvaluateRun.of(log().toString(), "--policy", policy, "--json", json.toString(),
                "--replicates", "50", "--reward-model", "ridge");
        assertEquals(0, run.exit(), run.err());
        Map<String, Double> values = new HashMap<>();
        for (JsonNode e : new ObjectMapper().readTree(json.toFile()).get("policies").get(0).get("estimates")) {
            values.put(e.get("estimator").asText(), e.get("value").asDouble());
        }
        return values;
    }

    @Test
    void perRoundProbabilitiesFileGivesTheHandComputedIpsSnipsAndDr() throws Exception {
        // pi(a_t) / mu_t: 0.2/0.5, 1/0.25, 0.5/0.25, 1/0.5, 0.5/0.25, 0.9/0.5 ... of the logged actions below.
        Path file = dir.resolve("probabilities.csv");
        Files.write(file, List.of("round,action,probability", "0,0,0.2", "0,1,0.8", "1,1,1.0", "2,0,0.5", "2,2,0.5",
                "3,0,1.0", "4,1,0.5", "4,2,0.5", "5,2,0.1", "5,0,0.9"));
        Map<String, Double> v = estimates("probabilities:" + file);
        // w = 0.4, 4, 2, 2, 2, 0.4; sum w r = 0.4 + 2 + 0.4 = 2.8; sum w = 10.8.
        assertEquals(2.8 / 6, v.get("IPS"), 1e-12);
        assertEquals(2.8 / 10.8, v.get("SNIPS"), 1e-12);
        // r^ = (0.5, 0, 1). DM terms: 0.1, 0, 0.75, 0.5, 0.5, 0.55. DR adds w (r - r^(a_t)): 0.2, 0, 0, -1, 0, 0.
        assertEquals(2.4 / 6, v.get("direct method"), 1e-12);
        assertEquals(1.6 / 6, v.get("doubly robust"), 1e-12);
    }

    @Test
    void probabilitiesByPositionApplyOnlyToTheRowsOfThatPosition() throws Exception {
        // OBD's action_dist[i, a, l] in long form: rounds 0-2 were shown at position 1, rounds 3-5 at position 2;
        // the rows of the other position are decoys that must not be read.
        Path file = dir.resolve("action_dist.csv");
        Files.write(file, List.of("round,action,position,probability",
                "0,0,1,0.2", "0,1,1,0.8", "0,2,2,1.0",
                "1,1,1,1.0", "1,0,2,1.0",
                "2,0,1,0.5", "2,2,1,0.5", "2,1,2,1.0",
                "3,0,2,1.0", "3,2,1,1.0",
                "4,1,2,0.5", "4,2,2,0.5", "4,0,1,1.0",
                "5,2,2,0.1", "5,0,2,0.9", "5,1,1,1.0"));
        Map<String, Double> v = estimates("probabilities:" + file);
        assertEquals(2.8 / 6, v.get("IPS"), 1e-12);
        assertEquals(2.8 / 10.8, v.get("SNIPS"), 1e-12);
        assertEquals(1.6 / 6, v.get("doubly robust"), 1e-12);
    }

    @Test
    void contextFreeDistributionGivesTheHandComputedIpsSnipsAndDr() throws Exception {
        // pi = (0.25, 0, 0.75): w = 0.5, 0, 3, 0.5, 0, 3; sum w r = 6.5; sum w = 7.
        Map<String, Double> inline = estimates("distribution[0=0.25,2=0.75]");
        assertEquals(6.5 / 6, inline.get("IPS"), 1e-12);
        assertEquals(6.5 / 7, inline.get("SNIPS"), 1e-12);
        // DM: 0.25 * 0.5 + 0.75 * 1 = 0.875 every round; DR's corrections 0.25, 0, 0, -0.25, 0, 0 cancel.
        assertEquals(0.875, inline.get("direct method"), 1e-12);
        assertEquals(0.875, inline.get("doubly robust"), 1e-12);

        Path file = dir.resolve("distribution.csv");
        Files.write(file, List.of("action,probability", "0,0.25", "2,0.75"));
        assertEquals(inline.get("IPS"), estimates("distribution:" + file).get("IPS"), 1e-12);
    }

    @Test
    void contextFreeDistributionPerPosition() throws Exception {
        // Position 1: always action 2; position 2: always action 0. w = 0, 0, 4 | 2, 0, 0; sum w r = 4.
        Path file = dir.resolve("distribution.csv");
        Files.write(file, List.of("action,position,probability", "2,1,1.0", "0,2,1.0"));
        Map<String, Double> v = estimates("distribution:" + file);
        assertEquals(4.0 / 6, v.get("IPS"), 1e-12);
        assertEquals(4.0 / 6, v.get("SNIPS"), 1e-12);
    }

    @Test
    void deterministicScoresTakeTheBestActionAndSplitTies() throws Exception {
        Path file = dir.resolve("scores.csv");
        Files.write(file, List.of("round,action,score", "0,0,3", "0,1,1", "0,2,2", "1,0,0", "1,1,5", "1,2,5",
                "2,0,1", "2,1,2", "2,2,3", "3,0,0", "3,1,1", "3,2,0", "4,0,-1", "4,1,-2", "5,0,0", "5,1,0", "5,2,9"));
        // Chosen: 0 (w 2, r 1), {1, 2} tied (pi(1) = 0.5, w 2, r 0), 2 (w 4, r 1), 1 (w 0), 0 (w 0), 2 (w 4, r 1).
        Map<String, Double> v = estimates("scores:" + file);
        assertEquals(10.0 / 6, v.get("IPS"), 1e-12);
        assertEquals(10.0 / 12, v.get("SNIPS"), 1e-12);
    }

    @Test
    void badTargetFilesAreNamedWithTheirLineOrRound() throws Exception {
        Path file = dir.resolve("probabilities.csv");
        Files.write(file, List.of("round,action,probability", "0,0,0.2", "0,1,0.7"));
        EvaluateRun run = EvaluateRun.of(log().toString(), "--policy", "probabilities:" + file);
        assertEquals(1, run.exit());
        assertTrue(run.err().contains(file + ": round 0 (position 1): expected probabilities summing to 1, found 0.9"),
                run.err());
        Files.write(file, List.of("round,action,probability", "0,0,high"));
        run = EvaluateRun.of(log().toString(), "--policy", "probabilities:" + file);
        assertEquals(2, run.exit());
        assertTrue(run.err().contains(file + ": line 2, column 3 (probability): expected a probability in [0, 1], "
                + "found 'high'"), run.err());
    }

    @Test
    void bernoulliThompsonUpdatesOnlyAtBatchEndsAndLearnsTheBestAction() {
        LinearClickWorld world = new LinearClickWorld(4, 3, 5);
        List<LoggedRound> log = StudyPolicies.log(world, Policies.uniform(3), 6_000, 0, 0, 8);
        BernoulliThompson ts = BernoulliThompson.parse("bernoulli-ts[batch=500]", 7);
        double[] first = ts.probabilities(0, log.get(0));
        assertEquals(1.0, java.util.Arrays.stream(first).sum(), 1e-9);
        for (double p : first) {
            assertEquals(0.25, p, 0.03, "equal priors: about 1/4 each");
        }
        for (int t = 0; t < 499; t++) {
            ts.observe(log.get(t));
        }
        assertArrayEquals(new double[] {1, 1, 1, 1}, ts.posterior()[0], "no update before the batch ends");
        assertArrayEquals(first, ts.probabilities(499, log.get(499)), "the same probabilities within a batch");
        ts.observe(log.get(499));
        double clicks = log.subList(0, 500).stream().mapToDouble(LoggedRound::reward).sum();
        assertEquals(4 + clicks, java.util.Arrays.stream(ts.posterior()[0]).sum(), 1e-9, "the batch is applied");

        // As a target on a uniform log where action 2 clicks 60% of the time and the others 10%: it learns
        // action 2 within a few batches, so its estimate nears 0.6, far above uniform's 0.27.
        java.util.Random random = new java.util.Random(11);
        List<LoggedRound> clear = new java.util.ArrayList<>();
        for (int t = 0; t < 6_000; t++) {
            int action = random.nextInt(3);
            double rate = action == 2 ? 0.6 : 0.1;
            clear.add(new LoggedRound(new float[0], 3, action, random.nextDouble() < rate ? 1 : 0, 1.0 / 3));
        }
        ScoredRound[] scored = Evaluator.score(clear, TargetPolicies.parse("bernoulli-ts[batch=200]", 3), 3);
        double snips = new SelfNormalizedInversePropensity().estimate(scored, Evaluator.everyRound(scored.length));
        assertTrue(snips > 0.5 && snips < 0.65, "Bernoulli TS estimated at " + snips);
    }
}
