package io.vitrine.loadtest.topic;

import io.vitrine.avro.Candidate;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.schemas.AvroSerdes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Decision requests as a producer of {@code decision-requests} writes them: a {@code DecisionRequest} in Avro
 * single-object encoding, keyed by its request id, with K candidates of the serving encoder's features, a context and
 * a slot out of a few; built like the HTTP test's bodies, in the topic path's format. Each request has a
 * request id of its own; a run cycles through {@value #VARIANTS} contexts and candidate sets.
 */
public final class RequestRecords {

    static final int VARIANTS = 64;

    private final DecisionRequest[] variants = new DecisionRequest[VARIANTS];
    private final Serializer<DecisionRequest> serializer = AvroSerdes.registryless(DecisionRequest.class).serializer();
    private final String runId;

    /**
     * @param candidates        K, candidates per request
     * @param contextFeatures   context features per request (the serving encoder's)
     * @param candidateFeatures features per candidate (the serving encoder's)
     * @param slots             distinct slots the requests name
     */
    public RequestRecords(int candidates, int contextFeatures, int candidateFeatures, int slots, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        this.runId = Long.toHexString(random.nextLong());
        for (int v = 0; v < VARIANTS; v++) {
            List<Candidate> list = new ArrayList<>(candidates);
            for (int a = 0; a < candidates; a++) {
                list.add(new Candidate("img-" + v + "-" + a, features(candidateFeatures, random)));
            }
            variants[v] = DecisionRequest.newBuilder().setRequestId("").setSlot("load/slot-" + v % slots)
                    .setContext(features(contextFeatures, random)).setCandidates(list).setK(1)
                    .setTimestamp(java.time.Instant.EPOCH).build();
        }
    }

    /** The request id of the {@code i}-th request of step {@code step}. */
    public String requestId(int step, long i) {
        return runId + '-' + step + '-' + i;
    }

    /**
     * The value of request {@code requestId}, the {@code i}-th of its step, stamped {@code timestampMillis}. Encodes
     * on the calling thread into a variant it reuses: one generator thread only.
     */
    public byte[] value(String requestId, long i, long timestampMillis) {
        DecisionRequest request = variants[(int) (i % VARIANTS)];
        request.setRequestId(requestId);
        request.setTimestamp(java.time.Instant.ofEpochMilli(timestampMillis));
        return serializer.serialize(null, request);
    }

    private static List<Float> features(int n, SplittableRandom random) {
        List<Float> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // Four decimals, as the HTTP test's bodies carry them.
            values.add((float) (Math.round(random.nextDouble() * 10_000) / 10_000.0));
        }
        return values;
    }
}
