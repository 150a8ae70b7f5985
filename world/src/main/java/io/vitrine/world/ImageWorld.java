package io.vitrine.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded synthetic world of slots, images and visitors with hidden click probabilities.
 *
 * <p>Each image {@code a} has a hidden intercept {@code base_a} and latent vector {@code v_a}; each visitor a latent
 * vector {@code u}. The click probability is {@code p(u, a) = sigmoid(base_a + w_slot * tanh(1.5 u) . v_a)}: the
 * {@code tanh} keeps it away from what a linear model on the raw features could fit exactly, and the slot's weight
 * {@code w_slot} sets how much the best image depends on the visitor ({@link SlotKind}). Policies only see noisy
 * views ({@link WorldSpec.Observation}): the context features carry some or all of {@code u}, and image features are
 * fixed noisy copies of {@code v_a} and {@code base_a}, padded with irrelevant ones.
 *
 * <p>A world as generated does not change, and a visitor is a pure function of the seed and its index, so runs are
 * reproducible whatever the concurrency of the caller. {@link #visits()} plays the world in order, with the new
 * images and drift of its {@link WorldSpec.Dynamics} and a subset of each slot offered.
 */
public final class ImageWorld {

    private final WorldSpec spec;
    private final List<Slot> slots;

    private ImageWorld(WorldSpec spec, List<Slot> slots) {
        this.spec = spec;
        this.slots = List.copyOf(slots);
    }

    /** Generates a world; the same spec gives the same world. */
    public static ImageWorld generate(WorldSpec spec) {
        SplittableRandom random = new SplittableRandom(mix(spec.seed(), 0x5107L));
        List<Slot> slots = new ArrayList<>();
        for (int s = 0; s < spec.slots(); s++) {
            SlotKind kind = spec.slotKinds().get(s % spec.slotKinds().size());
            List<Image> images = new ArrayList<>();
            for (int a = 0; a < spec.imagesPerSlot(); a++) {
                images.add(newImage(spec, kind, s, a + 1, random));
            }
            slots.add(new Slot(slotName(s), images, kind.contextWeight()));
        }
        return new ImageWorld(spec, slots);
    }

    /**
     * A world of one slot whose images have fixed click probabilities that ignore the visitor: the simplest thing a
     * bandit must learn. Visitors and features are the demo world's ({@link WorldSpec#WorldSpec(int, int, int, int,
     * long)}).
     */
    public static ImageWorld fixedRates(String slotName, double[] clickRates,
                                        int contextFeatures, int candidateFeatures, long seed) {
        WorldSpec spec = new WorldSpec(1, clickRates.length, contextFeatures, candidateFeatures, seed);
        SplittableRandom random = new SplittableRandom(mix(seed, 0xF1EDL));
        List<Image> images = new ArrayList<>();
        for (int a = 0; a < clickRates.length; a++) {
            double rate = clickRates[a];
            if (!(rate > 0 && rate < 1)) {
                throw new IllegalArgumentException("click rates must be in (0, 1): " + rate);
            }
            double base = Math.log(rate / (1 - rate));
            double[] hidden = new double[spec.latent()];
            images.add(new Image("img-" + (a + 1), base, hidden, imageFeatures(spec, base, hidden, random)));
        }
        return new ImageWorld(spec, List.of(new Slot(slotName, images, 0)));
    }

    static String slotName(int slot) {
        return "hotel-" + (slot + 1) + "/hero";
    }

    /** The {@code number}-th image made for a slot (1 for the first of the generated pool). */
    static Image newImage(WorldSpec spec, SlotKind kind, int slot, int number, SplittableRandom random) {
        double base = kind.intercept().draw(random);
        double[] hidden = new double[spec.latent()];
        for (int j = 0; j < hidden.length; j++) {
            hidden[j] = spec.imageSpread() * random.nextGaussian();
        }
        String id = "hotel-" + (slot + 1) + "-img-" + number;
        return new Image(id, base, hidden, imageFeatures(spec, base, hidden, random));
    }

    private static float[] imageFeatures(WorldSpec spec, double base, double[] hidden, SplittableRandom random) {
        WorldSpec.Observation seen = spec.observation();
        float[] features = new float[seen.candidateFeatures()];
        for (int j = 0; j < features.length; j++) {
            double value;
            if (j < hidden.length) {
                value = hidden[j] + seen.featureNoise() * random.nextGaussian();
            } else if (j == hidden.length) {
                value = base - seen.interceptCenter() + seen.featureNoise() * random.nextGaussian();
            } else {
                // Irrelevant "style" features: they also keep every image's vector distinct.
                value = random.nextGaussian();
            }
            features[j] = (float) value;
        }
        return features;
    }

    public WorldSpec spec() {
        return spec;
    }

    public List<Slot> slots() {
        return slots;
    }

    public Slot slot(int index) {
        return slots.get(index);
    }

    public int contextFeatures() {
        return spec.contextFeatures();
    }

    public int candidateFeatures() {
        return spec.candidateFeatures();
    }

    /** The {@code index}-th visitor of the run: uniform slot, standard normal latent vector. */
    public Visitor visitor(long index) {
        return visitor(index, null);
    }

    /** The {@code index}-th visitor, its latent vector centred on the population's mean ({@code null}: zero). */
    Visitor visitor(long index, double[] populationMean) {
        SplittableRandom random = new SplittableRandom(mix(spec.seed(), index));
        int slot = random.nextInt(slots.size());
        double[] hidden = new double[spec.latent()];
        for (int j = 0; j < hidden.length; j++) {
            double draw = random.nextGaussian();
            hidden[j] = populationMean == null ? draw : populationMean[j] + draw;
        }
        WorldSpec.Observation seen = spec.observation();
        float[] context = new float[seen.contextFeatures()];
        for (int j = 0; j < context.length; j++) {
            // Partial when observedLatent < latent: the last dimensions are never observed.
            context[j] = (float) (hidden[j % seen.observedLatent()] + seen.contextNoise() * random.nextGaussian());
        }
        return new Visitor(index, slot, hidden, context);
    }

    /** Hidden click probability of every candidate of the visitor's slot, in slot order. */
    public double[] clickProbabilities(Visitor visitor) {
        Slot slot = slots.get(visitor.slot());
        return clickProbabilities(visitor, slot.candidates(), slot.contextWeight());
    }

    /** The click model: {@code sigmoid(base + weight * tanh(1.5 u) . v)} for every image. */
    static double[] clickProbabilities(Visitor visitor, List<Image> images, double weight) {
        double[] shaped = new double[visitor.hidden().length];
        for (int j = 0; j < shaped.length; j++) {
            shaped[j] = Math.tanh(1.5 * visitor.hidden()[j]);
        }
        double[] p = new double[images.size()];
        for (int a = 0; a < p.length; a++) {
            Image image = images.get(a);
            double dot = 0;
            for (int j = 0; j < shaped.length; j++) {
                dot += shaped[j] * image.hidden()[j];
            }
            p[a] = sigmoid(image.base() + weight * dot);
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
     * Gaussian posterior, the unobserved ones at their standard normal prior), by a fixed set of {@code draws} normal
     * draws, so the same arguments give the same answer. What a perfect encoder would compute: {@code encoder-forms}'
     * ceiling. It assumes the world as generated: no drift of the visitor population.
     */
    public double expectedClickProbability(float[] context, int slot, int candidate, int draws) {
        WorldSpec.Observation seen = spec.observation();
        int latent = spec.latent();
        int observed = seen.observedLatent();
        double[] mean = new double[latent];
        double[] sd = new double[latent];
        Arrays.fill(sd, 1);
        double noisePrecision = 1 / (seen.contextNoise() * seen.contextNoise());
        for (int k = 0; k < observed; k++) {
            double sum = 0;
            int seenCount = 0;
            for (int j = k; j < context.length; j += observed) {
                sum += context[j];
                seenCount++;
            }
            double precision = 1 + seenCount * noisePrecision;
            mean[k] = sum * noisePrecision / precision;
            sd[k] = Math.sqrt(1 / precision);
        }
        Slot s = slots.get(slot);
        Image image = s.candidates().get(candidate);
        SplittableRandom random = new SplittableRandom(mix(spec.seed(), 0xE9C7L));
        double sum = 0;
        for (int d = 0; d < draws; d++) {
            double dot = 0;
            for (int j = 0; j < latent; j++) {
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

    /**
     * Plays the world in order from visit 0: the visitors of {@link #visitor(long)} (their mean drifting, if the
     * world drifts), images arriving and drifting as {@link WorldSpec#dynamics()} says, {@link WorldSpec#offered()}
     * candidates of the visitor's slot offered. This world itself does not change.
     */
    public Visits visits() {
        return new Visits(this);
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
