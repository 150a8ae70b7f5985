package io.vitrine.evaluation;

import io.vitrine.avro.ApprenticeChoice;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.schemas.AvroArrays;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Test logs in Vitrine's own records: uniformly logged decisions over four candidates with the selector's
 * default feature layout (8 context, 8 candidate features), where candidate "img-2" is clicked far more often
 * than the others, and the rewards the learner would have written for them.
 */
final class VitrineLogs {

    static final double[] CLICK = {0.08, 0.08, 0.35, 0.08};
    static final double UNIFORM_VALUE = (0.08 * 3 + 0.35) / 4;
    static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    final List<Decision> decisions = new ArrayList<>();
    final List<Reward> rewards = new ArrayList<>();

    /** {@code rounds} decisions one second apart, each with its reward. */
    static VitrineLogs simulate(int rounds, long seed) {
        VitrineLogs logs = new VitrineLogs();
        Random random = new Random(seed);
        for (int t = 0; t < rounds; t++) {
            Instant time = START.plusSeconds(t);
            float[] context = new float[8];
            for (int j = 0; j < 8; j++) {
                context[j] = (float) random.nextGaussian();
            }
            List<Candidate> candidates = new ArrayList<>();
            for (int a = 0; a < 4; a++) {
                float[] features = new float[8];
                features[a] = 1;
                features[7] = 1;
                candidates.add(new Candidate("img-" + a, AvroArrays.floatList(features)));
            }
            int chosen = random.nextInt(4);
            double reward = random.nextDouble() < CLICK[chosen] ? 1 : 0;
            logs.add("req-" + t, time, context, candidates, 1, chosen, 0.25, reward);
        }
        return logs;
    }

    void add(String requestId, Instant time, float[] context, List<Candidate> candidates, int k, int chosen,
             double propensity, double reward) {
        String scope = "hotel-1/hero@default-c8-a8-d32-s1";
        List<Float> z = AvroArrays.floatList(new float[32]);
        decisions.add(Decision.newBuilder()
                .setRequestId(requestId).setSlot("hotel-1/hero").setScope(scope).setTimestamp(time)
                .setContext(AvroArrays.floatList(context)).setCandidates(candidates).setK(k)
                .setChosen(List.of(ChosenCandidate.newBuilder().setCandidateId(candidates.get(chosen).getId())
                        .setRank(0).setSampledScore(0).setMeanScore(0).setPropensity(propensity).setEmbedding(z)
                        .setScope(null).build()))
                .setSeed(1).setEncoderVersion("default-c8-a8-d32-s1").setPosteriorVersion(0)
                .setPropensitySamples(256).build());
        rewards.add(Reward.newBuilder()
                .setRequestId(requestId).setCandidateId(candidates.get(chosen).getId()).setSlot("hotel-1/hero")
                .setScope(scope).setEncoderVersion("default-c8-a8-d32-s1").setReward(reward)
                .setKind(reward > 0 ? RewardKind.CLICK : RewardKind.NO_CLICK)
                .setDecisionTimestamp(time).setImpressionTimestamp(time.plusMillis(100))
                .setClickTimestamp(reward > 0 ? time.plusSeconds(2) : null).setPropensity(propensity)
                .setEmbedding(z).setContext(AvroArrays.floatList(context))
                .setCandidateFeatures(candidates.get(chosen).getFeatures()).build());
    }

    /**
     * {@code rounds} decisions of a slot in apprentice mode: a uniformly random incumbent served (propensity 1/4,
     * logged as the incumbent's unless {@code deterministic}), and Vitrine's would-be choice logged beside it:
     * "img-2" (the best) with probability 0.7, else uniformly one of the four.
     */
    static VitrineLogs apprentice(int rounds, long seed, boolean deterministic) {
        VitrineLogs logs = simulate(rounds, seed);
        Random random = new Random(seed + 1);
        for (int t = 0; t < rounds; t++) {
            Decision decision = logs.decisions.get(t);
            int would = random.nextDouble() < 0.7 ? 2 : random.nextInt(4);
            double wouldPropensity = 0.7 * (would == 2 ? 1 : 0) + 0.3 / 4;
            ChosenCandidate own = ChosenCandidate.newBuilder(decision.getChosen().get(0))
                    .setCandidateId(decision.getCandidates().get(would).getId()).setPropensity(wouldPropensity)
                    .build();
            Double incumbent = deterministic ? null : 0.25;
            logs.decisions.set(t, Decision.newBuilder(decision)
                    .setApprentice(new ApprenticeChoice(List.of(own), incumbent)).build());
        }
        return logs;
    }

    /** The mean logged reward of the rewards whose decision has k = 1. */
    double meanReward() {
        return rewards.stream().mapToDouble(Reward::getReward).average().orElse(Double.NaN);
    }

    static <T extends SpecificRecord> void write(Path file, List<T> records) throws IOException {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) records.get(0).getClass();
        try (DataFileWriter<T> writer = new DataFileWriter<>(new SpecificDatumWriter<>(type))) {
            writer.create(records.get(0).getSchema(), file.toFile());
            for (T record : records) {
                writer.append(record);
            }
        }
    }
}
