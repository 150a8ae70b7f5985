package io.vitrine.trainer;

import io.vitrine.avro.GateVerdict;
import io.vitrine.avro.PolicyEstimate;
import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.evaluation.Bootstrap;
import io.vitrine.evaluation.DoublyRobust;
import io.vitrine.evaluation.Estimator;
import io.vitrine.evaluation.Evaluator;
import io.vitrine.evaluation.RewardModels;
import io.vitrine.evaluation.ScoredRound;
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
 * estimators. The verdict is taken on their paired difference with the serving one (round by round on the same
 * decisions): by default the new version passes when the difference is estimated above minus the margin for both
 * estimators; with the {@code lower-bound} rule, only when its 95% lower bound is (a non-inferiority test, which
 * needs many held-out decisions when rewards are rare clicks).
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

    /** The estimates of a verdict taken without a comparison. */
    private static final Estimate NONE = new Estimate(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN);

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
        if (serving.isEmpty()) {
            return verdict(false, servingVersion, rounds.size(), NONE, NONE, NONE, "the serving version " + servingVersion
                    + " is not on the encoders topic nor the built-in encoder configured here: nothing to compare"
                    + " with", now);
        }
        try (OnnxEncoder candidateEncoder = OnnxEncoder.load(candidateModel);
             OnnxEncoder servingEncoder = OnnxEncoder.load(serving.get())) {
            return judge(candidateEncoder, servingEncoder, training, rounds, servingVersion, seed, now);
        }
    }

    private GateVerdict judge(OnnxEncoder candidateEncoder, OnnxEncoder servingEncoder,
                              List<RewardBuffer.Row> training, List<LoggedRound> rounds, String servingVersion,
                              long seed, Instant now) {
        EncoderInfo candidateLayout = candidateEncoder.info();
        EncoderInfo servingLayout = servingEncoder.info();
        if (candidateLayout.contextFeatures() != servingLayout.contextFeatures()
                || candidateLayout.candidateFeatures() != servingLayout.candidateFeatures()) {
            // The rewards no longer fit the serving encoder: requests shaped like them are refused by the selectors
            // now, so any version that fits them is better than what serves.
            return verdict(true, servingVersion, rounds.size(), NONE, NONE, NONE, String.format(Locale.ROOT,
                    "the serving version %s expects %d context and %d candidate features, the rewards have %d and %d:"
                            + " nothing to compare; this version fits the rewards", servingVersion,
                    servingLayout.contextFeatures(), servingLayout.candidateFeatures(),
                    candidateLayout.contextFeatures(), candidateLayout.candidateFeatures()), now);
        }
        if (rounds.size() < settings.minRounds()) {
            return verdict(false, servingVersion, rounds.size(), NONE, NONE, NONE, rounds.size() + " held-out decisions"
                    + " can be evaluated, fewer than vitrine.trainer.gate.min-rounds (" + settings.minRounds()
                    + "): too few to tell", now);
        }
        RewardModels models = RewardModels.fit(rounds, RewardModels.DEFAULT_RIDGE);
        ScoredRound[] candidateRounds = score("candidate", candidateEncoder, training, rounds, models,
                seed);
        ScoredRound[] servingRounds = score("serving", servingEncoder, training, rounds, models,
                seed);
        Estimate candidate = estimate("candidate", candidateRounds, seed);
        Estimate current = estimate("serving", servingRounds, seed);
        Estimate difference = pairedDifference(candidateRounds, servingRounds);
        double margin = settings.margin();
        boolean lowerBound = settings.rule() == TrainerConfig.Gate.Rule.LOWER_BOUND;
        boolean drShown = (lowerBound ? difference.doublyRobustLow() : difference.doublyRobust()) >= -margin;
        boolean snipsShown = (lowerBound ? difference.snipsLow() : difference.snips()) >= -margin;
        String numbers = String.format(Locale.ROOT, "new minus serving on %d held-out decisions: DR %+.4f [%+.4f, "
                        + "%+.4f], SNIPS %+.4f [%+.4f, %+.4f], margin %.4f (DR %.4f against %.4f, SNIPS %.4f against"
                        + " %.4f)", rounds.size(), difference.doublyRobust(), difference.doublyRobustLow(),
                difference.doublyRobustHigh(), difference.snips(), difference.snipsLow(), difference.snipsHigh(),
                margin, candidate.doublyRobust(), current.doublyRobust(), candidate.snips(), current.snips());
        String reason;
        String which = !drShown && !snipsShown ? "DR and SNIPS" : !drShown ? "DR" : "SNIPS";
        if (drShown && snipsShown) {
            reason = (lowerBound ? "shown not worse than " : "not estimated worse than ") + servingVersion
                    + " by more than the margin: " + numbers;
        } else if (lowerBound) {
            reason = "not shown to be no worse than " + servingVersion + " (" + which
                    + " lower bound below minus the margin): " + numbers;
        } else {
            reason = "estimated worse than " + servingVersion + " by more than the margin (" + which + "): "
                    + numbers;
        }
        return verdict(drShown && snipsShown, servingVersion, rounds.size(), candidate, current, difference, reason,
                now);
    }

    /**
     * The difference of the two policies, round by round on the same decisions with the same reward model: the
     * terms of doubly robust, and the influence terms of SNIPS ({@code w_t (r_t - V) / mean w}), differ per round
     * and their mean's 95% normal interval is far tighter than the two policies' own intervals, which share most of
     * their noise.
     */
    private static Estimate pairedDifference(ScoredRound[] candidate, ScoredRound[] serving) {
        int n = candidate.length;
        double[] dr = new double[n];
        for (int t = 0; t < n; t++) {
            dr[t] = candidate[t].doublyRobust() - serving[t].doublyRobust();
        }
        double[] snipsCandidate = snipsInfluence(candidate);
        double[] snipsServing = snipsInfluence(serving);
        double[] snips = new double[n];
        for (int t = 0; t < n; t++) {
            snips[t] = snipsCandidate[t] - snipsServing[t];
        }
        double drMean = mean(dr);
        double drError = Estimator.standardError(dr, n);
        double snipsDifference = snipsValue(candidate) - snipsValue(serving);
        double snipsError = Estimator.standardError(snips, n);
        return new Estimate(drMean, drMean - Z95 * drError, drMean + Z95 * drError, snipsDifference,
                snipsDifference - Z95 * snipsError, snipsDifference + Z95 * snipsError);
    }

    private static final double Z95 = 1.959963984540054;

    private static double snipsValue(ScoredRound[] rounds) {
        double weighted = 0;
        double weights = 0;
        for (ScoredRound round : rounds) {
            weighted += round.weight() * round.round().reward();
            weights += round.weight();
        }
        return weights > 0 ? weighted / weights : 0;
    }

    private static double[] snipsInfluence(ScoredRound[] rounds) {
        double value = snipsValue(rounds);
        double meanWeight = 0;
        for (ScoredRound round : rounds) {
            meanWeight += round.weight();
        }
        meanWeight /= rounds.length;
        double[] terms = new double[rounds.length];
        for (int t = 0; t < rounds.length; t++) {
            terms[t] = meanWeight > 0 ? rounds[t].weight() * (rounds[t].round().reward() - value) / meanWeight : 0;
        }
        return terms;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? Double.NaN : sum / values.length;
    }

    /** The policy's probabilities on every held-out round, after it learned the training rewards; it learns as it goes. */
    private ScoredRound[] score(String name, OnnxEncoder encoder, List<RewardBuffer.Row> training,
                                List<LoggedRound> rounds, RewardModels models, long seed) {
        VitrineTarget.Config config = new VitrineTarget.Config(prior, Forgetting.NONE, settings.exploration(), true,
                Optional.empty(), settings.draws());
        // Not closed here: closing the target would close the encoder, which the caller owns.
        VitrineTarget target = new VitrineTarget(name, config, encoder, seed);
        for (RewardBuffer.Row row : training) {
            target.learn(row.learningKey(), row.context(), row.candidate(), row.reward());
        }
        return Evaluator.score(rounds, target, seed, models);
    }

    private Estimate estimate(String name, ScoredRound[] scored, long seed) {
        Evaluator evaluator = new Evaluator(List.of(new DoublyRobust(), new SelfNormalizedInversePropensity()),
                new Bootstrap(settings.replicates(), 0.95), 100);
        List<Evaluator.Estimate> estimates = evaluator.evaluate(name, scored, seed).estimates();
        Evaluator.Estimate dr = estimates.get(0);
        Evaluator.Estimate snips = estimates.get(1);
        return new Estimate(dr.value(), dr.low(), dr.high(), snips.value(), snips.low(), snips.high());
    }

    private GateVerdict verdict(boolean promote, String against, int rounds, Estimate candidate, Estimate serving,
                                Estimate difference, String reason, Instant now) {
        return GateVerdict.newBuilder()
                .setPromote(promote)
                .setAgainst(against)
                .setRounds(rounds)
                .setMargin(settings.margin())
                .setCandidate(candidate.toAvro())
                .setServing(serving.toAvro())
                .setDifference(difference.toAvro())
                .setReason(reason)
                .setDecidedAt(now)
                .build();
    }
}
