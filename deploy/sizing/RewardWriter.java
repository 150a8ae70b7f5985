import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes rewards to the rewards topic for trainer-footprint.sh, in the services' wire format (registry-less Avro).
 * Arguments: bootstrap servers, count, context features, candidate features. Features are uniform in [0, 1), the
 * embedding has 32 dimensions as the learner writes it, and the click probability is a logistic function of the
 * products of context and candidate features, so that a training has something to learn.
 */
final class RewardWriter {

    private static final int DIMENSION = 32;

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: RewardWriter BOOTSTRAP COUNT CONTEXT_FEATURES CANDIDATE_FEATURES");
            System.exit(2);
        }
        int count = Integer.parseInt(args[1]);
        int contextFeatures = Integer.parseInt(args[2]);
        int candidateFeatures = Integer.parseInt(args[3]);
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 20);
        String encoder = "default-c" + contextFeatures + "-a" + candidateFeatures + "-d" + DIMENSION + "-s1";
        Random random = new Random(7);
        AtomicReference<Exception> failure = new AtomicReference<>();
        Instant start = Instant.now().minusMillis(10L * count);
        try (KafkaProducer<String, Reward> producer = new KafkaProducer<>(config, new StringSerializer(),
                WireFormat.of(Optional.empty(), Map.of()).serde(Reward.class).serializer())) {
            for (int i = 0; i < count; i++) {
                List<Float> context = floats(random, contextFeatures);
                List<Float> candidate = floats(random, candidateFeatures);
                double logit = -2;
                for (int j = 0; j < Math.min(contextFeatures, candidateFeatures); j++) {
                    logit += 2 * context.get(j) * candidate.get(j);
                }
                List<Float> embedding = new ArrayList<>(DIMENSION);
                for (int j = 0; j < DIMENSION; j++) {
                    embedding.add((float) random.nextGaussian());
                }
                boolean click = random.nextDouble() < 1 / (1 + Math.exp(-logit));
                Instant at = start.plusMillis(10L * i);
                String slot = "slot-" + (i % 5);
                Reward reward = Reward.newBuilder().setRequestId("r-" + i).setCandidateId("c-" + (i % 20))
                        .setSlot(slot).setScope(slot + "@" + encoder).setEncoderVersion(encoder)
                        .setReward(click ? 1 : 0).setKind(click ? RewardKind.CLICK : RewardKind.NO_CLICK)
                        .setDecisionTimestamp(at).setImpressionTimestamp(at).setClickTimestamp(null)
                        .setPropensity(0.05).setEmbedding(embedding).setContext(context)
                        .setCandidateFeatures(candidate).build();
                producer.send(new ProducerRecord<>(Topic.REWARDS.name(Topic.DEFAULT_PREFIX), reward.getRequestId(),
                        reward), (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            System.err.println("RewardWriter: a reward was not written: " + failure.get());
            System.exit(1);
        }
    }

    private static List<Float> floats(Random random, int n) {
        List<Float> values = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            values.add(random.nextFloat());
        }
        return values;
    }
}
