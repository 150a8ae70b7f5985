package io.vitrine.quality;

import java.util.List;

/**
 * What a quality run measures.
 *
 * @param wheel       run the wheel bandit
 * @param images      run the image world
 * @param seeds       seeds per wheel delta (1, 2, ... from {@code firstSeed})
 * @param imageSeeds  seeds of the image world
 * @param firstSeed   the first seed
 * @param deltas      wheel deltas, one table column each
 * @param wheelRounds decisions per wheel run
 * @param imageRounds decisions per image-world run
 * @param threads     runs played at the same time
 * @param longWheelRounds decisions per run of a second, longer wheel table (0: none)
 * @param longDeltas  the deltas of the longer table
 * @param longSeeds   seeds per delta of the longer table
 */
public record Settings(boolean wheel, boolean images, int seeds, int imageSeeds, long firstSeed, List<Double> deltas,
                       int wheelRounds, int imageRounds, int threads, int longWheelRounds, List<Double> longDeltas,
                       int longSeeds) {

    public Settings {
        deltas = List.copyOf(deltas);
        longDeltas = List.copyOf(longDeltas);
        if (seeds < 1 || imageSeeds < 1 || longSeeds < 1 || wheelRounds < 1 || imageRounds < 1 || threads < 1 || longWheelRounds < 0) {
            throw new IllegalArgumentException("seeds, rounds and threads must be positive");
        }
        if (longWheelRounds > 0 && longDeltas.isEmpty()) {
            throw new IllegalArgumentException("the longer wheel table needs at least one delta");
        }
        for (double delta : concat(deltas, longDeltas)) {
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("a wheel delta must be in (0, 1), got " + delta);
            }
        }
        if (wheel && deltas.isEmpty()) {
            throw new IllegalArgumentException("the wheel needs at least one delta");
        }
    }

    /** Every task: per wheel delta and seed, then the image world per seed; the costly policies first. */
    public List<Task> tasks(List<PolicySpec> wheelPolicies, List<PolicySpec> imagePolicies) {
        List<Task> tasks = new java.util.ArrayList<>();
        if (images) {
            for (int s = 0; s < imageSeeds; s++) {
                for (PolicySpec policy : imagePolicies) {
                    tasks.add(new Task(IMAGE_GROUP, ImageEnvironmentSpec.defaults(), policy, firstSeed + s, imageRounds,
                            Math.min(100, imageRounds)));
                }
            }
        }
        if (wheel && longWheelRounds > 0) {
            for (double delta : longDeltas) {
                EnvironmentSpec environment = WheelBandit.spec(delta);
                for (int s = 0; s < longSeeds; s++) {
                    for (PolicySpec policy : wheelPolicies) {
                        tasks.add(new Task(longGroup(delta), environment, policy, firstSeed + s, longWheelRounds,
                                Math.min(100, longWheelRounds)));
                    }
                }
            }
        }
        if (wheel) {
            for (double delta : deltas) {
                EnvironmentSpec environment = WheelBandit.spec(delta);
                for (int s = 0; s < seeds; s++) {
                    for (PolicySpec policy : wheelPolicies) {
                        tasks.add(new Task(environment.label(), environment, policy, firstSeed + s, wheelRounds,
                                Math.min(100, wheelRounds)));
                    }
                }
            }
        }
        return tasks;
    }

    /** Group label of the longer wheel table's runs with this delta. */
    public String longGroup(double delta) {
        return String.format(java.util.Locale.ROOT, "%s, %,d rounds", WheelBandit.spec(delta).label(), longWheelRounds);
    }

    private static List<Double> concat(List<Double> a, List<Double> b) {
        List<Double> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Group label of the image world's runs. */
    public static final String IMAGE_GROUP = "image world";
}
