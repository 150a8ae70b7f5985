package io.vitrine.trainer;

import io.vitrine.avro.GateVerdict;
import io.vitrine.avro.PolicyEstimate;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.evaluation.Bootstrap;
import io.vitrine.evaluation.DoublyRobust;
import io.vitrine.evaluation.Evaluator;
import io.vitrine.evaluation.LoggedRound;
import io.vitrine.evaluation.SelfNormalizedInversePropensity;
import io.vitrine.evaluation.VitrineTarget;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The off-policy comparison a new encoder version must pass before it serves. Both policies, the new version's and
 * the serving one's, are Vitrine itself (Thompson sampling on a per-slot posterior over the encoder's z, with the
 * selectors' exploration share): each first learns the rewards the new network was trained on, then is replayed over
 * the newest rewards, held out of that training, with the evaluator's doubly robust and self-normalised IPS
 * estimators and their bootstrap intervals. The new version passes when neither estimate says it is worse than the
 * serving one by more than the margin.
 *
 * <p>Why both policies learn the same older rewards first: a version serves with posteriors rebuilt from the whole
 * log, so the question is which representation does better given the same history, not which starts better from
 * the prior.
 */
final class Gate {

    /** One policy's estimates. */
    record Estimate(double doublyRobust, double doublyRobustLow, double doublyRobustHigh, double snips,
                    double snipsLow, double snipsHigh) {

        PolicyEstimate toAvro() {
            return new PolicyEstimate(doublyRobust, doublyRobustLow, doublyRobustHigh, snips, snipsLow, snipsHigh);
        }
    }

    private final TrainerConfig.Gate settings;
    private final NigPrior prior;

    Gate(TrainerConfig.Gate settings, NigPrior prior) {
        this.settings = settings;
        this.prior = prior;
    }

    /** How many of {@code total} newest rewards the gate holds out of training. */
    int holdout(int total) {
        return (int) Math.floor(total * settings.holdout());
    }

    /**
     * Compares the new encoder with the serving one.
     *
     * @param training the rewards the new network was trained on, in log order (both policies learn them first)
     * @param heldOut  the newest rewards, not trained on, in log order
     * @param serving  the serving version's name and model, empty when it is unknown here
     */
    GateVerdict judge(List<RewardBuffer.Row> training, List<RewardBuffer.Row> heldOut, byte[] candidateModel,
                      String servingVersion, Optional<byte[]> serving, long seed, Instant now) {
        List<LoggedRound> rounds = new ArrayList<>();
        for (RewardBuffer.Row row : heldOut) {
            if (row.round() != null) {
                rounds.add(row.round());
            }
        }
        Estimate none = new Estimate(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        if (serving.isEmpty()) {
            return verdict(false, servingVersion, rounds.size(), none, none, "the serving version " + servingVersion
                    + " is not on the encoders topic nor the built-in encoder configured here: nothing to compare"
                    + " with", now);
        }
        if (rounds.size() < settings.minRounds()) {
            return verdict(false, servingVersion, rounds.size(), none, none, rounds.size() + " held-out decisions"
                    + " can be evaluated, fewer than vitrine.trainer.gate.min-rounds (" + settings.minRounds()
                    + "): too few to tell", now);
        }
        Estimate candidate = estimate("candidate", OnnxEncoder.load(candidateModel), training, rounds, seed);
        Estimate current = estimate("serving", OnnxEncoder.load(serving.get()), training, rounds, seed);
        double margin = settings.margin();
        boolean drWorse = candidate.doublyRobust() < current.doublyRobust() - margin;
        boolean snipsWorse = candidate.snips() < current.snips() - margin;
        String numbers = String.format(Locale.ROOT, "DR %.4f [%.4f, %.4f] against %.4f [%.4f, %.4f], SNIPS %.4f "
                        + "[%.4f, %.4f] against %.4f [%.4f, %.4f] on %d held-out decisions, margin %.4f",
                candidate.doublyRobust(), candidate.doublyRobustLow(), candidate.doublyRobustHigh(),
                current.doublyRobust(), current.doublyRobustLow(), current.doublyRobustHigh(),
                candidate.snips(), candidate.snipsLow(), candidate.snipsHigh(),
                current.snips(), current.snipsLow(), current.snipsHigh(), rounds.size(), margin);
        String reason;
        if (drWorse || snipsWorse) {
            reason = "worse than " + servingVersion + " by more than the margin ("
                    + (drWorse && snipsWorse ? "DR and SNIPS" : drWorse ? "DR" : "SNIPS") + "): " + numbers;
        } else {
            reason = "not worse than " + servingVersion + ": " + numbers;
        }
        return verdict(!drWorse && !snipsWorse, servingVersion, rounds.size(), candidate, current, reason, now);
    }

    private Estimate estimate(String name, OnnxEncoder encoder, List<RewardBuffer.Row> training,
                              List<LoggedRound> rounds, long seed) {
        VitrineTarget.Config config = new VitrineTarget.Config(prior, Forgetting.NONE, settings.exploration(), true,
                Optional.empty(), settings.draws());
        try (VitrineTarget target = new VitrineTarget(name, config, encoder, seed)) {
            for (RewardBuffer.Row row : training) {
                target.learn(row.learningKey(), row.context(), row.candidate(), row.reward());
            }
            Evaluator evaluator = new Evaluator(List.of(new DoublyRobust(), new SelfNormalizedInversePropensity()),
                    new Bootstrap(settings.replicates(), 0.95), 100);
            List<Evaluator.Estimate> estimates = evaluator.evaluate(rounds, target, seed).estimates();
            Evaluator.Estimate dr = estimates.get(0);
            Evaluator.Estimate snips = estimates.get(1);
            return new Estimate(dr.value(), dr.low(), dr.high(), snips.value(), snips.low(), snips.high());
        }
    }

    private GateVerdict verdict(boolean promote, String against, int rounds, Estimate candidate, Estimate serving,
                                String reason, Instant now) {
        return GateVerdict.newBuilder()
                .setPromote(promote)
                .setAgainst(against)
                .setRounds(rounds)
                .setMargin(settings.margin())
                .setCandidate(candidate.toAvro())
                .setServing(serving.toAvro())
                .setReason(reason)
                .setDecidedAt(now)
                .build();
    }
}
