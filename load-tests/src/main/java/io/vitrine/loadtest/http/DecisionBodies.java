package io.vitrine.loadtest.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Decision request bodies as a site would send them: K candidates with their features, a context, a slot out of a
 * few, and a request id of their own (a repeated id would be answered from the retry window, which costs less than
 * a decision). The bodies differ in context and candidates too; a run cycles through {@value #VARIANTS} of them.
 */
public final class DecisionBodies {

    static final int VARIANTS = 64;
    private static final byte[] OPEN = "{\"requestId\":\"".getBytes(StandardCharsets.UTF_8);

    private final byte[][] rests = new byte[VARIANTS][];
    private final String runId;

    /**
     * @param candidates        K, candidates per request
     * @param contextFeatures   context features per request (the serving encoder's)
     * @param candidateFeatures features per candidate (the serving encoder's)
     * @param slots             distinct slots the requests name
     */
    public DecisionBodies(int candidates, int contextFeatures, int candidateFeatures, int slots, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        this.runId = Long.toHexString(random.nextLong());
        for (int v = 0; v < VARIANTS; v++) {
            StringBuilder rest = new StringBuilder("\",\"slot\":\"load/slot-").append(v % slots)
                    .append("\",\"context\":");
            features(rest, contextFeatures, random);
            rest.append(",\"candidates\":[");
            for (int a = 0; a < candidates; a++) {
                rest.append(a == 0 ? "" : ",").append("{\"id\":\"img-").append(v).append('-').append(a)
                        .append("\",\"features\":");
                features(rest, candidateFeatures, random);
                rest.append('}');
            }
            rest.append("],\"k\":1}");
            rests[v] = rest.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The body of the {@code i}-th request of step {@code step}: its own request id. */
    public byte[] body(int step, long i) {
        byte[] id = (runId + '-' + step + '-' + i).getBytes(StandardCharsets.US_ASCII);
        byte[] rest = rests[(int) (i % VARIANTS)];
        byte[] body = new byte[OPEN.length + id.length + rest.length];
        System.arraycopy(OPEN, 0, body, 0, OPEN.length);
        System.arraycopy(id, 0, body, OPEN.length, id.length);
        System.arraycopy(rest, 0, body, OPEN.length + id.length, rest.length);
        return body;
    }

    private static void features(StringBuilder out, int n, SplittableRandom random) {
        out.append('[');
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", random.nextDouble()));
        }
        out.append(']');
    }
}
