package io.vitrine.loadtest.learner;

import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decisions shaped like the selector's for the demo's world (K candidates with their features, the context, one
 * chosen candidate with its embedding and propensity), so that the learner stores and joins records of a real size.
 * Request {@code i} of step {@code s} is {@code s<s>-<i>}; its slot {@code s<s>-slot-<i mod slots>}, so that each
 * step learns scopes of its own and their posterior versions count that step's rewards.
 */
final class LoadEvents {

    static final String ENCODER_VERSION = "load-d32";

    private final int slots;
    private final int candidates;
    private final int contextFeatures;
    private final int candidateFeatures;
    private final int dimension;

    LoadEvents(int slots, int candidates, int contextFeatures, int candidateFeatures, int dimension) {
        this.slots = slots;
        this.candidates = candidates;
        this.contextFeatures = contextFeatures;
        this.candidateFeatures = candidateFeatures;
        this.dimension = dimension;
    }

    static String requestId(int step, long i) {
        return "s" + step + "-" + i;
    }

    /** Step and index of a request id written by {@link #requestId}, or null for another one. */
    static long[] parse(String requestId) {
        int dash = requestId.indexOf('-');
        if (!requestId.startsWith("s") || dash < 2) {
            return null;
        }
        try {
            return new long[] {Long.parseLong(requestId.substring(1, dash)), Long.parseLong(requestId.substring(dash + 1))};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The step of a slot written by {@link #slot}, or -1 for another one. */
    static int stepOfSlot(String slot) {
        int dash = slot.indexOf('-');
        if (!slot.startsWith("s") || dash < 2 || !slot.startsWith("-slot-", dash)) {
            return -1;
        }
        try {
            return Integer.parseInt(slot.substring(1, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String scope(String slot) {
        return slot + "@" + ENCODER_VERSION;
    }

    int slots() {
        return slots;
    }

    String slot(int step, long i) {
        return "s" + step + "-slot-" + (i % slots);
    }

    /** The decision of request {@code i} of a step, made at {@code at}; its chosen candidate is {@code chosen(...)}. */
    Decision decision(int step, long i, Instant at, SplittableRandom random) {
        String slot = slot(step, i);
        List<Candidate> all = new ArrayList<>(candidates);
        for (int c = 0; c < candidates; c++) {
            all.add(new Candidate("img-" + c, floats(candidateFeatures, random)));
        }
        int chosen = random.nextInt(candidates);
        return Decision.newBuilder()
                .setRequestId(requestId(step, i)).setSlot(slot).setScope(scope(slot)).setTimestamp(at)
                .setContext(floats(contextFeatures, random))
                .setCandidates(all)
                .setK(1)
                .setChosen(List.of(new ChosenCandidate("img-" + chosen, 0, 0.1, 0.05, 1.0 / candidates,
                        floats(dimension, random), null)))
                .setSeed(i).setEncoderVersion(ENCODER_VERSION).setPosteriorVersion(0L).setPropensitySamples(16)
                .build();
    }

    /**
     * A decision with no impression, which only moves its task's stream time (so that windows close by event time
     * when the load stops, as they would under steady traffic).
     */
    Decision tick(String requestId, Instant at) {
        return Decision.newBuilder()
                .setRequestId(requestId).setSlot("tick").setScope(scope("tick")).setTimestamp(at)
                .setContext(floats(contextFeatures, new SplittableRandom(0)))
                .setCandidates(List.of(new Candidate("img-0", floats(candidateFeatures, new SplittableRandom(0)))))
                .setK(1)
                .setChosen(List.of(new ChosenCandidate("img-0", 0, 0.1, 0.05, 1.0,
                        floats(dimension, new SplittableRandom(0)), null)))
                .setSeed(0L).setEncoderVersion(ENCODER_VERSION).setPosteriorVersion(0L).setPropensitySamples(16)
                .build();
    }

    private static List<Float> floats(int n, SplittableRandom random) {
        List<Float> values = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            values.add((float) (random.nextDouble() * 2 - 1));
        }
        return values;
    }
}
