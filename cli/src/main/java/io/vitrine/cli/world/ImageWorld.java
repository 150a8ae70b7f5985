package io.vitrine.cli.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded synthetic world of slots, images and visitors with hidden click probabilities.
 *
 * <p>Each image {@code a} has a hidden intercept {@code base_a} and latent vector {@code v_a}; each
 * visitor a latent vector {@code u}. The click probability is
 * {@code p(u, a) = sigmoid(base_a + w_slot * tanh(1.5 u) . v_a)}: the {@code tanh} keeps it away from
 * what a linear model on the raw features could fit exactly. In half of the generated slots
 * {@code w_slot} is large, so the best image depends on the visitor; in the others it is small and one
 * image wins almost everywhere. Vitrine only sees noisy, partial views: the context features never
 * carry the last latent dimension, and image features are fixed noisy copies of {@code v_a} and
 * {@code base_a} padded with irrelevant ones.
 *
 * <p>A visitor is a pure function of the seed and its index, so runs are reproducible whatever the
 * concurrency of the caller.
 */
public final class ImageWorld {

    /** Dimension of the hidden latent vectors. */
    static final int LATENT = 4;
    private static final double BASE_CENTER = -2.6;
    private static final double CONTEXT_NOISE = 0.5;
    private static final double FEATURE_NOISE = 0.3;

    private final List<Slot> slots;
    private final int contextFeatures;
    private final int candidateFeatures;
    private final long seed;

    private ImageWorld(List<Slot> slots, int contextFeatures, int candidateFeatures, long seed) {
        this.slots = List.copyOf(slots);
        this.contextFeatures = contextFeatures;
        this.candidateFeatures = candidateFeatures;
        this.seed = seed;
    }

    /** Generates a world; the same spec gives the same world. */
    public static ImageWorld generate(WorldSpec spec) {
        SplittableRandom random = new SplittableRandom(mix(spec.seed(), 0x5107L));
        List<Slot> slots = new ArrayList<>();
        for (int s = 0; s < spec.slots(); s++) {
            // Alternate: even slots are context dependent, odd ones have a near-global winner.
            boolean contextual = s % 2 == 0;
            double weight = contextual ? 0.7 : 0.2;
            List<Image> images = new ArrayList<>();
            for (int a = 0; a < spec.candidatesPerSlot(); a++) {
                double base = contextual
                        ? -3.2 + 1.1 * random.nextDouble()
                        : -4.0 + 2.5 * random.nextDouble();
                double[] hidden = new double[LATENT];
                for (int j = 0; j < LATENT; j++) {
                    hidden[j] = random.nextGaussian();
                }
                String id = "hotel-" + (s + 1) + "-img-" + (a + 1);
                images.add(new Image(id, base, hidden, imageFeatures(base, hidden, spec.candidateFeatures(), random)));
            }
            slots.add(new Slot("hotel-" + (s + 1) + "/hero", images, weight));
        }
        return new ImageWorld(slots, spec.contextFeatures(), spec.candidateFeatures(), spec.seed());
    }

    /**
     * A world of one slot whose images have fixed click probabilities that ignore the visitor: the
     * simplest thing a bandit must learn.
     */
    public static ImageWorld fixedRates(String slotName, double[] clickRates,
                                        int contextFeatures, int candidateFeatures, long seed) {
        SplittableRandom random = new SplittableRandom(mix(seed, 0xF1EDL));
        List<Image> images = new ArrayList<>();
        for (int a = 0; a < clickRates.length; a++) {
            double rate = clickRates[a];
            if (!(rate > 0 && rate < 1)) {
                throw new IllegalArgumentException("click rates must be in (0, 1): " + rate);
            }
            double base = Math.log(rate / (1 - rate));
            double[] hidden = new double[LATENT];
            images.add(new Image("img-" + (a + 1), base, hidden,
                    imageFeatures(base, hidden, candidateFeatures, random)));
        }
        return new ImageWorld(List.of(new Slot(slotName, images, 0)), contextFeatures, candidateFeatures, seed);
    }

    private static float[] imageFeatures(double base, double[] hidden, int size, SplittableRandom random) {
        float[] features = new float[size];
        for (int j = 0; j < size; j++) {
            double value;
            if (j < LATENT) {
                value = hidden[j] + FEATURE_NOISE * random.nextGaussian();
            } else if (j == LATENT) {
                value = base - BASE_CENTER + FEATURE_NOISE * random.nextGaussian();
            } else {
                // Irrelevant "style" features: they also keep every image's vector distinct.
                value = random.nextGaussian();
            }
            features[j] = (float) value;
        }
        return features;
    }

    public List<Slot> slots() {
        return slots;
    }

    public Slot slot(int index) {
        return slots.get(index);
    }

    public int contextFeatures() {
        return contextFeatures;
    }

    public int candidateFeatures() {
        return candidateFeatures;
    }

    /** The {@code index}-th visitor of the run: uniform slot, standard normal latent vector. */
    public Visitor visitor(long index) {
        SplittableRandom random = new SplittableRandom(mix(seed, index));
        int slot = random.nextInt(slots.size());
        double[] hidden = new double[LATENT];
        for (int j = 0; j < LATENT; j++) {
            hidden[j] = random.nextGaussian();
        }
        float[] context = new float[contextFeatures];
        for (int j = 0; j < contextFeatures; j++) {
            // Partial: the last latent dimension is never observed.
            context[j] = (float) (hidden[j % (LATENT - 1)] + CONTEXT_NOISE * random.nextGaussian());
        }
        return new Visitor(index, slot, hidden, context);
    }

    /** Hidden click probability of every candidate of the visitor's slot, in slot order. */
    public double[] clickProbabilities(Visitor visitor) {
        Slot slot = slots.get(visitor.slot());
        double[] shaped = new double[LATENT];
        for (int j = 0; j < LATENT; j++) {
            shaped[j] = Math.tanh(1.5 * visitor.hidden()[j]);
        }
        double[] p = new double[slot.candidates().size()];
        for (int a = 0; a < p.length; a++) {
            Image image = slot.candidates().get(a);
            double dot = 0;
            for (int j = 0; j < LATENT; j++) {
                dot += shaped[j] * image.hidden()[j];
            }
            p[a] = sigmoid(image.base() + slot.contextWeight() * dot);
        }
        return p;
    }

    /** Hidden click probability of one candidate. */
    public double clickProbability(Visitor visitor, int candidate) {
        return clickProbabilities(visitor)[candidate];
    }

    /**
     * The best prediction anything that sees only the context features can make: the click probability of a
     * candidate averaged over the visitor's hidden vector given its noisy context (each observed latent dimension's
     * Gaussian posterior, the unobserved one at its prior), by a fixed set of {@code draws} normal draws, so the same
     * arguments give the same answer. What a perfect encoder would compute: {@code encoder-forms}' ceiling.
     */
    public double expectedClickProbability(float[] context, int slot, int candidate, int draws) {
        double[] mean = new double[LATENT];
        double[] sd = new double[LATENT];
        Arrays.fill(sd, 1);
        double noisePrecision = 1 / (CONTEXT_NOISE * CONTEXT_NOISE);
        for (int k = 0; k < LATENT - 1; k++) {
            double sum = 0;
            int seen = 0;
            for (int j = k; j < context.length; j += LATENT - 1) {
                sum += context[j];
                seen++;
            }
            double precision = 1 + seen * noisePrecision;
            mean[k] = sum * noisePrecision / precision;
            sd[k] = Math.sqrt(1 / precision);
        }
        Slot s = slots.get(slot);
        Image image = s.candidates().get(candidate);
        SplittableRandom random = new SplittableRandom(mix(seed, 0xE9C7L));
        double sum = 0;
        for (int d = 0; d < draws; d++) {
            double dot = 0;
            for (int j = 0; j < LATENT; j++) {
                dot += Math.tanh(1.5 * (mean[j] + sd[j] * random.nextGaussian())) * image.hidden()[j];
            }
            sum += sigmoid(image.base() + s.contextWeight() * dot);
        }
        return sum / draws;
    }

    /** What an all-knowing policy gets: the largest click probability. */
    public double oracle(Visitor visitor) {
        return max(clickProbabilities(visitor));
    }

    /** What a uniformly random policy gets: the mean click probability. */
    public double uniform(Visitor visitor) {
        return mean(clickProbabilities(visitor));
    }

    /** Index of the candidate with the largest click probability (the first on ties). */
    public static int best(double[] p) {
        int best = 0;
        for (int a = 1; a < p.length; a++) {
            if (p[a] > p[best]) {
                best = a;
            }
        }
        return best;
    }

    public static double max(double[] p) {
        return p[best(p)];
    }

    public static double mean(double[] p) {
        double sum = 0;
        for (double v : p) {
            sum += v;
        }
        return sum / p.length;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** Derives independent seeds (Stafford's mix13 of a golden-ratio combination). */
    public static long mix(long seed, long stream) {
        long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
