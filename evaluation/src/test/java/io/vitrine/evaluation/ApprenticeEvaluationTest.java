package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vitrine evaluate} on a log of a slot in apprentice mode: the incumbent's click rate, the agreement rate and
 * Vitrine's estimated click rate with intervals; with the incumbent's propensities, Vitrine's would-be choices
 * evaluated by every estimator; without them, the matched-round mean, flagged as biased.
 */
class ApprenticeEvaluationTest {

    @TempDir
    Path dir;

    @Test
    void incumbentPropensitiesGiveAnUnbiasedEstimateOfVitrineThatEveryEstimatorAgreesWith() throws Exception {
        VitrineLogs logs = VitrineLogs.apprentice(4_000, 11, false);
        JsonNode output = evaluate(logs);
        JsonNode apprentice = output.get("apprentice");
        assertEquals(4_000, apprentice.get("rounds").asInt());
        assertTrue(apprentice.get("unbiased").asBoolean());
        // Computed here from the records, by the formulas of docs/evaluation.md.
        double served = 0;
        double ips = 0;
        int agreed = 0;
        for (int t = 0; t < logs.decisions.size(); t++) {
            Decision decision = logs.decisions.get(t);
            Reward reward = logs.rewards.get(t);
            served += reward.getReward();
            if (decision.getApprentice().getWouldChoose().get(0).getCandidateId().equals(reward.getCandidateId())) {
                agreed++;
                ips += reward.getReward() / 0.25;
            }
        }
        assertEquals(served / 4_000, apprentice.at("/incumbent/value").asDouble(), 1e-12);
        assertEquals(agreed, apprentice.get("agreed").asInt());
        assertEquals((double) agreed / 4_000, apprentice.at("/agreement/value").asDouble(), 1e-12);
        assertEquals(ips / 4_000, apprentice.at("/vitrine/value").asDouble(), 1e-12);
        assertEquals("IPS", apprentice.at("/vitrine/estimator").asText());
        // The incumbent is uniform (value 0.1475); Vitrine's policy is worth 0.7 x 0.35 + 0.3 x 0.1475 = 0.289.
        double vitrineValue = 0.7 * 0.35 + 0.3 * VitrineLogs.UNIFORM_VALUE;
        assertTrue(apprentice.at("/vitrine/low").asDouble() < vitrineValue
                && vitrineValue < apprentice.at("/vitrine/high").asDouble(), apprentice.toString());
        assertTrue(apprentice.at("/incumbent/high").asDouble() < apprentice.at("/vitrine/low").asDouble(),
                "Vitrine is clearly better: " + apprentice);

        // The would-be choices are a target of their own: IPS gives the same number, with a bootstrap interval.
        JsonNode would = null;
        for (JsonNode policy : output.get("policies")) {
            if (policy.get("policy").asText().equals("vitrine (would-be choice)")) {
                would = policy;
            }
        }
        assertTrue(would != null, output.get("policies").toString());
        for (JsonNode estimate : would.get("estimates")) {
            if (estimate.get("estimator").asText().equals("IPS")) {
                assertEquals(ips / 4_000, estimate.get("value").asDouble(), 1e-12);
            }
            if (estimate.get("estimator").asText().startsWith("SNIPS")
                    || estimate.get("estimator").asText().equals("doubly robust")) {
                assertEquals(vitrineValue, estimate.get("value").asDouble(), 0.05, estimate.toString());
            }
        }
    }

    @Test
    void aDeterministicIncumbentGivesOnlyTheMatchedRoundMeanFlaggedAsBiased() throws Exception {
        VitrineLogs logs = VitrineLogs.apprentice(2_000, 12, true);
        JsonNode output = evaluate(logs);
        JsonNode apprentice = output.get("apprentice");
        assertFalse(apprentice.get("unbiased").asBoolean());
        assertEquals("matched rounds", apprentice.at("/vitrine/estimator").asText());
        double matched = 0;
        int agreed = 0;
        for (int t = 0; t < logs.decisions.size(); t++) {
            if (logs.decisions.get(t).getApprentice().getWouldChoose().get(0).getCandidateId()
                    .equals(logs.rewards.get(t).getCandidateId())) {
                agreed++;
                matched += logs.rewards.get(t).getReward();
            }
        }
        assertEquals(matched / agreed, apprentice.at("/vitrine/value").asDouble(), 1e-12);
        assertTrue(apprentice.get("note").asText().contains("not an unbiased estimate"), apprentice.toString());
        for (JsonNode policy : output.get("policies")) {
            assertFalse(policy.get("policy").asText().contains("would-be"),
                    "no off-policy estimate of Vitrine without the incumbent's propensities");
        }
    }

    private JsonNode evaluate(VitrineLogs logs) throws Exception {
        Path decisions = dir.resolve("decisions.avro");
        Path rewards = dir.resolve("rewards.avro");
        VitrineLogs.write(decisions, logs.decisions);
        VitrineLogs.write(rewards, logs.rewards);
        Path json = dir.resolve("estimates.json");
        Path html = dir.resolve("report.html");
        EvaluateRun run = EvaluateRun.of(decisions.toString(), rewards.toString(), "--policy", "uniform,logging",
                "--replicates", "100", "--json", json.toString(), "--html", html.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("apprentice mode:"), run.out());
        assertTrue(java.nio.file.Files.readString(html).contains("logging"), "the report plots the incumbent");
        return new ObjectMapper().readTree(json.toFile());
    }
}
