package io.vitrine.core.encoder;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An encoder {@code z = f(x_context, x_candidate)} run by ONNX Runtime.
 * <p>
 * Contract (docs/encoder.md): one float32 input {@code features} of shape [N, F] and one float32 output
 * {@code embedding} of shape [N, d], with a dynamic batch axis N; F and d are read from the model. The model's
 * metadata (custom properties) must declare how a row is laid out:
 * <ul>
 *   <li>{@code vitrine.context_features} = Fc and {@code vitrine.candidate_features} = Fa, with Fc + Fa = F;</li>
 *   <li>{@code vitrine.version} (optional): the encoder version; without it the version is
 *       {@code sha256:} followed by the first 12 hex digits of the SHA-256 of the model file.</li>
 * </ul>
 * Thread-safe: ONNX Runtime sessions accept concurrent {@code run} calls. The session uses one intra-op thread,
 * as a service parallelises across requests instead.
 */
public final class OnnxEncoder implements AutoCloseable {

    public static final String INPUT = "features";
    public static final String OUTPUT = "embedding";
    public static final String VERSION_KEY = "vitrine.version";
    public static final String CONTEXT_FEATURES_KEY = "vitrine.context_features";
    public static final String CANDIDATE_FEATURES_KEY = "vitrine.candidate_features";

    private static final String CONTRACT = "an encoder is an ONNX model with one float32 input '" + INPUT
            + "' [N, F] and one float32 output '" + OUTPUT + "' [N, d], see docs/encoder.md";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final EncoderInfo info;
    private final int F;
    private final AtomicBoolean closed = new AtomicBoolean();
    /**
     * Direct input and output buffers per calling thread, reused across calls. ONNX Runtime reads and writes a
     * direct, native-order buffer in place, whereas for a heap array it allocates a direct buffer and copies
     * into it on every call; the rows are written straight into the input buffer, so a call makes no copy of
     * its input. Direct buffers are freed by the garbage collector with the thread's entry: nothing to close.
     */
    private final ThreadLocal<IoBuffers> buffers = ThreadLocal.withInitial(IoBuffers::new);

    private OnnxEncoder(OrtEnvironment env, OrtSession session, EncoderInfo info) {
        this.env = env;
        this.session = session;
        this.info = info;
        this.F = info.features();
    }

    /** Loads an encoder from an ONNX file. */
    public static OnnxEncoder load(Path file) {
        byte[] model;
        try {
            model = Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            throw new EncoderException("cannot read the encoder model file " + file + ": " + e, e);
        }
        return load(model, "encoder model file " + file);
    }

    /** Loads an encoder from the bytes of an ONNX model. */
    public static OnnxEncoder load(byte[] model) {
        return load(model, "encoder model");
    }

    private static OnnxEncoder load(byte[] model, String source) {
        if (model == null || model.length == 0) {
            throw new EncoderException(source + " is empty; " + CONTRACT);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new EncoderException(source + " is not a loadable ONNX model (" + e.getMessage() + "); " + CONTRACT, e);
        }
        try {
            return new OnnxEncoder(env, session, inspect(session, model, source));
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        } catch (OrtException e) {
            closeQuietly(session);
            throw new EncoderException(source + " could not be inspected: " + e.getMessage(), e);
        }
    }

    /** Checks the contract and reads F, d and the metadata. */
    private static EncoderInfo inspect(OrtSession session, byte[] model, String source) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        if (inputs.size() != 1 || !inputs.containsKey(INPUT)) {
            throw new EncoderException(source + " has inputs " + inputs.keySet() + " but " + CONTRACT);
        }
        long[] inputShape = matrixShape(inputs.get(INPUT).getInfo(), INPUT, source);
        if (inputShape[1] <= 0) {
            throw new EncoderException(source + ": the second axis of input '" + INPUT
                    + "' (the number of features F) must be fixed, but it is dynamic");
        }
        int F = Math.toIntExact(inputShape[1]);

        Map<String, NodeInfo> outputs = session.getOutputInfo();
        if (!outputs.containsKey(OUTPUT)) {
            throw new EncoderException(source + " has outputs " + outputs.keySet() + " but " + CONTRACT);
        }
        long[] outputShape = matrixShape(outputs.get(OUTPUT).getInfo(), OUTPUT, source);

        Map<String, String> metadata = session.getMetadata().getCustomMetadata();
        int contextFeatures = featureCount(metadata, CONTEXT_FEATURES_KEY, source);
        int candidateFeatures = featureCount(metadata, CANDIDATE_FEATURES_KEY, source);
        if (contextFeatures + candidateFeatures != F) {
            throw new EncoderException(source + ": input '" + INPUT + "' has F = " + F + " features per row, but the "
                    + "metadata declares " + CONTEXT_FEATURES_KEY + " = " + contextFeatures + " plus "
                    + CANDIDATE_FEATURES_KEY + " = " + candidateFeatures + " = " + (contextFeatures + candidateFeatures)
                    + "; fix the metadata or the model, see docs/encoder.md");
        }
        String version = metadata.get(VERSION_KEY);
        if (version == null || version.isBlank()) {
            version = "sha256:" + sha256Hex(model).substring(0, 12);
        }

        int d;
        if (outputShape[1] > 0) {
            d = Math.toIntExact(outputShape[1]);
        } else {
            // The model leaves d symbolic: run one row of zeros to learn it.
            d = probeDimension(OrtEnvironment.getEnvironment(), session, F, source);
        }
        if (d > EncoderInfo.MAX_DIMENSION) {
            throw new EncoderException(source + " makes embeddings of " + d + " values, but a posterior holds at most "
                    + EncoderInfo.MAX_DIMENSION + " (its statistics must fit one Kafka record); see docs/encoder.md");
        }
        return new EncoderInfo(version, contextFeatures, candidateFeatures, d);
    }

    public EncoderInfo info() {
        return info;
    }

    /**
     * Runs the model on rows of F features (context then candidate, as laid out by the metadata).
     *
     * @param features [N, F], finite values
     * @return the embeddings [N, d]
     * @throws IllegalArgumentException naming the row and feature index of a wrong length or non-finite value
     */
    public float[][] run(float[][] features) {
        if (features == null) {
            throw new IllegalArgumentException("features must not be null");
        }
        int N = features.length;
        for (int r = 0; r < N; r++) {
            float[] row = features[r];
            if (row == null || row.length != F) {
                throw new IllegalArgumentException("row " + r + " has " + (row == null ? "no" : row.length)
                        + " features, the encoder expects F = " + F);
            }
            for (int j = 0; j < F; j++) {
                if (!Float.isFinite(row[j])) {
                    throw new IllegalArgumentException("row " + r + " feature " + j + " is not finite: " + row[j]);
                }
            }
        }
        if (N == 0) {
            return new float[0][];
        }
        FloatBuffer input = buffers.get().forFloats(N * F);
        for (int r = 0; r < N; r++) {
            input.put(features[r]);
        }
        return runBuffer(input.flip(), N);
    }

    /**
     * Embeds each candidate in the context: row i of the input is {@code concat(context, candidateFeatures[i])}.
     *
     * @param context           Fc context features
     * @param candidateFeatures K rows of Fa candidate features
     * @return the embeddings [K, d], row i for candidate i
     * @throws IllegalArgumentException naming the candidate and feature index of a wrong length or non-finite value
     */
    public float[][] encode(float[] context, float[][] candidateFeatures) {
        int Fc = info.contextFeatures();
        int Fa = info.candidateFeatures();
        if (context == null || context.length != Fc) {
            throw new IllegalArgumentException("context has " + (context == null ? "no" : context.length)
                    + " features, the encoder expects " + Fc + " (" + CONTEXT_FEATURES_KEY + ")");
        }
        for (int j = 0; j < Fc; j++) {
            if (!Float.isFinite(context[j])) {
                throw new IllegalArgumentException("context feature " + j + " is not finite: " + context[j]);
            }
        }
        if (candidateFeatures == null) {
            throw new IllegalArgumentException("candidate features must not be null");
        }
        int K = candidateFeatures.length;
        for (int i = 0; i < K; i++) {
            float[] candidate = candidateFeatures[i];
            if (candidate == null || candidate.length != Fa) {
                throw new IllegalArgumentException("candidate " + i + " has " + (candidate == null ? "no" : candidate.length)
                        + " features, the encoder expects " + Fa + " (" + CANDIDATE_FEATURES_KEY + ")");
            }
            for (int j = 0; j < Fa; j++) {
                if (!Float.isFinite(candidate[j])) {
                    throw new IllegalArgumentException("candidate " + i + " feature " + j + " is not finite: "
                            + candidate[j]);
                }
            }
        }
        if (K == 0) {
            return new float[0][];
        }
        FloatBuffer input = buffers.get().forFloats(K * F);
        for (int i = 0; i < K; i++) {
            input.put(context);
            input.put(candidateFeatures[i]);
        }
        return runBuffer(input.flip(), K);
    }

    /** Runs the model on N rows held in {@code input}, a direct buffer positioned at the first row. */
    private float[][] runBuffer(FloatBuffer input, int N) {
        if (closed.get()) {
            throw new IllegalStateException("encoder " + info.version() + " is closed");
        }
        int d = info.dimension();
        // The output is pinned: ONNX Runtime writes the embeddings into this thread's direct buffer instead of
        // allocating an output tensor that would then be copied out (measured: about half the time of a call
        // for 20 rows). A shape other than [N, d] makes the run fail rather than write past the buffer.
        FloatBuffer values = buffers.get().outputFor(N * d);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[]{N, F});
             OnnxTensor output = OnnxTensor.createTensor(env, values, new long[]{N, d});
             OrtSession.Result ignored = session.run(Map.of(INPUT, tensor), Map.of(OUTPUT, output))) {
            float[][] z = new float[N][d];
            for (int r = 0; r < N; r++) {
                values.get(z[r]);
            }
            return z;
        } catch (OrtException e) {
            throw new EncoderException("encoder " + info.version() + " failed to run (its '" + OUTPUT
                    + "' must have shape [" + N + ", " + d + "] for " + N + " rows): " + e.getMessage(), e);
        }
    }

    /** Closes the ONNX Runtime session; later calls fail. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                session.close();
            } catch (OrtException e) {
                throw new EncoderException("closing encoder " + info.version() + " failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "OnnxEncoder" + info;
    }

    private static long[] matrixShape(ValueInfo valueInfo, String name, String source) {
        if (!(valueInfo instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT
                || tensor.getShape().length != 2) {
            throw new EncoderException(source + ": '" + name + "' is " + valueInfo + " but " + CONTRACT);
        }
        return tensor.getShape();
    }

    private static int featureCount(Map<String, String> metadata, String key, String source) {
        String value = metadata.get(key);
        if (value == null) {
            throw new EncoderException(source + " has no metadata property '" + key + "'; an encoder declares "
                    + CONTEXT_FEATURES_KEY + " and " + CANDIDATE_FEATURES_KEY
                    + " (how many of the F input features are context, then candidate features), see docs/encoder.md");
        }
        try {
            int count = Integer.parseInt(value.trim());
            if (count < 0) {
                throw new NumberFormatException("negative");
            }
            return count;
        } catch (NumberFormatException e) {
            throw new EncoderException(source + ": metadata property '" + key + "' must be a whole number >= 0, got '"
                    + value + "', see docs/encoder.md");
        }
    }

    private static int probeDimension(OrtEnvironment env, OrtSession session, int F, String source)
            throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[F]), new long[]{1, F});
             OrtSession.Result result = session.run(Map.of(INPUT, input), Set.of(OUTPUT))) {
            OnnxValue output = result.get(OUTPUT).orElseThrow();
            long[] shape = ((OnnxTensor) output).getInfo().getShape();
            if (shape.length != 2 || shape[0] != 1 || shape[1] < 1) {
                throw new EncoderException(source + ": for one input row '" + OUTPUT + "' has shape "
                        + Arrays.toString(shape) + ", expected [1, d]");
            }
            return Math.toIntExact(shape[1]);
        }
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException | RuntimeException ignored) {
            // Already failing with a more useful message.
        }
    }

    /** A thread's reusable direct buffers; each grows to the largest batch the thread has seen. */
    private static final class IoBuffers {
        private FloatBuffer input = allocate(0);
        private FloatBuffer output = allocate(0);

        /** The input buffer, cleared, with room for at least {@code floats} values. */
        FloatBuffer forFloats(int floats) {
            if (input.capacity() < floats) {
                input = allocate(Math.max(floats, 2 * input.capacity()));
            }
            return input.clear();
        }

        /** The output buffer, exactly {@code floats} long (ONNX Runtime checks the size against the shape). */
        FloatBuffer outputFor(int floats) {
            if (output.capacity() < floats) {
                output = allocate(Math.max(floats, 2 * output.capacity()));
            }
            return output.clear().limit(floats);
        }

        private static FloatBuffer allocate(int floats) {
            return ByteBuffer.allocateDirect(Math.multiplyExact(floats, Float.BYTES)).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
        }
    }
}
