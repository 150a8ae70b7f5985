package io.vitrine.quality;

import io.vitrine.core.bandit.Arm;
import io.vitrine.core.bandit.Round;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The product's setting, simulated: slots with pools of images, visitors and images with hidden
 * latent vectors, Bernoulli clicks.
 *
 * <p>The click probability of image {@code i} for a visitor with hidden vector {@code u} is
 * {@code sigmoid(BASE + q_i + GAIN * tanh(1.5 u) . v_i)}: a logistic of a product of embeddings, with
 * a {@code tanh} so that no linear model of the raw features fits it exactly, and a hidden per-image
 * appeal {@code q_i}. Click-through rates land between about 1% and 30%.
 *
 * <p>What a policy sees are noisy views: the context is {@code u} plus noise, redrawn per visitor; an
 * image's features are {@code v_i} and {@code q_i} plus noise, fixed when the image arrives, so they
 * go stale as {@code v_i} drifts. Visitor population and image vectors drift slowly (an AR(1) step
 * every {@value #DRIFT_EVERY} rounds). New images arrive over time, each retiring the oldest image of
 * its slot. Every round offers {@code offered} candidates drawn from one slot's pool.
 *
 * <p>Everything derives from the seed; the policy's choices never touch the random stream.
 */
public final class ImageWorld implements Environment {

    static final double BASE = -3.2;
    static final double APPEAL_STD = 0.5;
    static final double LATENT_STD = 0.6;
    static final double GAIN = 1.0;
    static final int DRIFT_EVERY = 100;
    static final double VISITOR_DRIFT_STD = 0.5;

    private final ImageWorldSpec spec;
    private final SplittableRandom random;
    private final List<List<Image>> pools = new ArrayList<>();
    private final double[] visitorMean;
    private final double driftKeep;
    private final int[] order;
    private long round;
    private int imagesCreated;
    private Step current;

    public ImageWorld(ImageWorldSpec spec, long seed) {
        this.spec = spec;
        this.random = new SplittableRandom(seed);
        this.visitorMean = new double[spec.latent()];
        // AR(1) coefficient per drift step, so that keep^(halfLife / DRIFT_EVERY) = 1/2.
        this.driftKeep = Math.pow(0.5, (double) DRIFT_EVERY / spec.driftHalfLife());
        this.order = new int[spec.poolSize()];
        for (int s = 0; s < spec.slots(); s++) {
            List<Image> pool = new ArrayList<>();
            for (int i = 0; i < spec.poolSize(); i++) {
                pool.add(newImage(s));
            }
            pools.add(pool);
        }
    }

    @Override
    public Step next() {
        round++;
        if (round % DRIFT_EVERY == 0) {
            drift();
        }
        if (random.nextInt(spec.arrivalEvery()) == 0) {
            int slot = random.nextInt(spec.slots());
            List<Image> pool = pools.get(slot);
            pool.remove(0);
            pool.add(newImage(slot));
        }
        int slot = random.nextInt(spec.slots());
        List<Image> pool = pools.get(slot);
        int latent = spec.latent();
        double[] shaped = new double[latent];
        float[] context = new float[latent];
        for (int j = 0; j < latent; j++) {
            double u = visitorMean[j] + random.nextGaussian();
            shaped[j] = Math.tanh(1.5 * u);
            context[j] = (float) (u + spec.contextNoise() * random.nextGaussian());
        }
        // Partial Fisher-Yates: the first `offered` entries are a uniform sample without replacement.
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        List<Arm> arms = new ArrayList<>(spec.offered());
        double[] expected = new double[spec.offered()];
        for (int k = 0; k < spec.offered(); k++) {
            int pick = k + random.nextInt(order.length - k);
            int swap = order[k];
            order[k] = order[pick];
            order[pick] = swap;
            Image image = pool.get(order[k]);
            arms.add(new Arm(image.id, image.features));
            expected[k] = image.clickProbability(shaped);
        }
        // One uniform for all arms: the draw is the same whichever arm the policy picks.
        double u = random.nextDouble();
        double[] rewards = new double[expected.length];
        for (int a = 0; a < rewards.length; a++) {
            rewards[a] = u < expected[a] ? 1 : 0;
        }
        current = new Step(new Round(context, arms), expected, rewards);
        return current;
    }

    @Override
    public Step current() {
        if (current == null) {
            throw new IllegalStateException("no round drawn yet");
        }
        return current;
    }

    /** Images created so far, the initial pools included. */
    public int imagesCreated() {
        return imagesCreated;
    }

    /**
     * A policy that knows the click model but sees only what every other policy sees (noisy visitor
     * features, stale image features): the best a feature-based model can do, and so the ceiling the
     * learning policies are measured against besides the oracle.
     */
    public static PolicySpec knownModel() {
        return new PolicySpec(PolicyNames.KNOWN_MODEL, (environment, seed) -> new KnownModelPolicy());
    }

    /** Number of features of every image. */
    public int imageFeatures() {
        return spec.latent() + 1;
    }

    private void drift() {
        double fresh = Math.sqrt(1 - driftKeep * driftKeep);
        for (int j = 0; j < visitorMean.length; j++) {
            // The population mean wanders around zero with a stationary spread of VISITOR_DRIFT_STD.
            visitorMean[j] = driftKeep * visitorMean[j] + VISITOR_DRIFT_STD * fresh * random.nextGaussian();
        }
        for (List<Image> pool : pools) {
            for (Image image : pool) {
                for (int j = 0; j < image.latent.length; j++) {
                    image.latent[j] = driftKeep * image.latent[j] + LATENT_STD * fresh * random.nextGaussian();
                }
            }
        }
    }

    private Image newImage(int slot) {
        int latent = spec.latent();
        double appeal = APPEAL_STD * random.nextGaussian();
        double[] vector = new double[latent];
        float[] features = new float[latent + 1];
        for (int j = 0; j < latent; j++) {
            vector[j] = LATENT_STD * random.nextGaussian();
            features[j] = (float) (vector[j] + spec.featureNoise() * random.nextGaussian());
        }
        features[latent] = (float) (appeal + spec.featureNoise() * random.nextGaussian());
        imagesCreated++;
        return new Image("slot-" + slot + "/img-" + imagesCreated, appeal, vector, features);
    }

    /** Scores candidates with the true click model applied to the observed features. */
    private static final class KnownModelPolicy implements io.vitrine.core.bandit.Policy {
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
                // The logit is monotone in the click probability, so it ranks candidates the same way.
                double score = features[context.length];
                for (int j = 0; j < context.length; j++) {
                    score += GAIN * Math.tanh(1.5 * context[j]) * features[j];
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

    /** An image: hidden appeal and drifting vector, observed features fixed at arrival. */
    private static final class Image {
        final String id;
        final double appeal;
        final double[] latent;
        final float[] features;

        Image(String id, double appeal, double[] latent, float[] features) {
            this.id = id;
            this.appeal = appeal;
            this.latent = latent;
            this.features = features;
        }

        double clickProbability(double[] shapedVisitor) {
            double dot = 0;
            for (int j = 0; j < latent.length; j++) {
                dot += shapedVisitor[j] * latent[j];
            }
            return 1 / (1 + Math.exp(-(BASE + appeal + GAIN * dot)));
        }
    }
}
