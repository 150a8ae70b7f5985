package io.vitrine.quality;

import io.vitrine.core.bandit.Arm;
import io.vitrine.core.bandit.Policy;
import io.vitrine.core.bandit.Round;
import io.vitrine.world.Image;
import io.vitrine.world.ImageWorld;
import io.vitrine.world.Visit;
import io.vitrine.world.Visits;
import java.util.ArrayList;
import java.util.List;

/**
 * The synthetic image world ({@link ImageWorld}) as a bandit environment: each round is the next visit, its offered
 * images the arms, their hidden click probabilities the expected rewards, and the visit's one click draw decides
 * every arm's Bernoulli reward.
 */
public final class ImageEnvironment implements Environment {

    private final Visits visits;
    private Step current;

    public ImageEnvironment(ImageWorld world) {
        this.visits = world.visits();
    }

    @Override
    public Step next() {
        Visit visit = visits.next();
        List<Arm> arms = new ArrayList<>(visit.offered().size());
        for (Image image : visit.offered()) {
            arms.add(new Arm(image.id(), image.features()));
        }
        double[] rewards = new double[arms.size()];
        for (int a = 0; a < rewards.length; a++) {
            rewards[a] = visit.clicked(a) ? 1 : 0;
        }
        current = new Step(new Round(visit.visitor().context(), arms), visit.clickProbabilities(), rewards);
        return current;
    }

    @Override
    public Step current() {
        if (current == null) {
            throw new IllegalStateException("no round drawn yet");
        }
        return current;
    }

    /** Images made so far, the initial pools included. */
    public int imagesCreated() {
        return visits.imagesCreated();
    }

    /**
     * A policy that knows the click model of a world whose context sees the whole hidden vector and whose slots share
     * one context weight, but sees only what every other policy sees (noisy visitor features, stale image features):
     * the best a feature-based model can do, and so the ceiling the learning policies are measured against besides
     * the oracle.
     */
    public static PolicySpec knownModel(double contextWeight) {
        return new PolicySpec(PolicyNames.KNOWN_MODEL, (environment, seed) -> new KnownModelPolicy(contextWeight));
    }

    /** Scores candidates with the true click model applied to the observed features. */
    private record KnownModelPolicy(double contextWeight) implements Policy {
        @Override
        public String name() {
            return PolicyNames.KNOWN_MODEL;
        }

        @Override
        public int choose(Round round) {
            float[] context = round.context();
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < round.arms().size(); k++) {
                float[] features = round.arms().get(k).features();
                // The logit less a constant is monotone in the click probability, so it ranks candidates the same way.
                double score = features[context.length];
                for (int j = 0; j < context.length; j++) {
                    score += contextWeight * Math.tanh(1.5 * context[j]) * features[j];
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = k;
                }
            }
            return best;
        }

        @Override
        public void learn(Round round, int chosen, double reward) {
            // Nothing to learn: it knows the model, only the inputs are noisy.
        }
    }
}
