package io.vitrine.core.encoder;

import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Vitrine's default encoder: a fixed random-feature network, used until an encoder trained on the reward log
 * replaces it. For an input row x of F = Fc + Fa features:
 * <pre>
 *   h = Relu(x W + c)            W: F x H, c: H, H = d - F
 *   z = concat(x, h)             length d = F + H
 * </pre>
 * Hidden unit 0 has zero weights and bias 1, so {@code z[F] = 1} for every row: the linear model on z gets an
 * intercept. The other weights are {@code W ~ N(0, 1/F)} and {@code c ~ N(0, 0.1^2)} from a seeded generator,
 * so the same arguments always give the same network. The raw features stay in z, so the bandit is at least a
 * linear model on them; the random ReLU features add some non-linearity.
 * <p>
 * {@link #toOnnx()} writes the network as an ONNX model following the encoder contract of {@link OnnxEncoder};
 * {@link #forward(float[][])} computes it in plain Java. Immutable and thread-safe.
 */
public final class DefaultEncoder {

    private final int contextFeatures;
    private final int candidateFeatures;
    private final int dimension;
    private final long seed;
    private final int F;
    private final int H;
    /** F x H row-major. */
    private final float[] W;
    private final float[] c;

    private DefaultEncoder(int contextFeatures, int candidateFeatures, int dimension, long seed, float[] W, float[] c) {
        this.contextFeatures = contextFeatures;
        this.candidateFeatures = candidateFeatures;
        this.dimension = dimension;
        this.seed = seed;
        this.F = contextFeatures + candidateFeatures;
        this.H = dimension - F;
        this.W = W;
        this.c = c;
    }

    /**
     * A random network for rows of {@code contextFeatures + candidateFeatures} features and embeddings of length
     * {@code dimension}, which must exceed the number of features (there is at least the constant hidden unit).
     */
    public static DefaultEncoder random(int contextFeatures, int candidateFeatures, int dimension, long seed) {
        if (contextFeatures < 0 || candidateFeatures < 0 || contextFeatures + candidateFeatures < 1) {
            throw new IllegalArgumentException("feature counts must be >= 0 with at least one feature, got context "
                    + contextFeatures + " and candidate " + candidateFeatures);
        }
        int F = contextFeatures + candidateFeatures;
        if (dimension <= F) {
            throw new IllegalArgumentException("dimension must be greater than the number of features F = " + F
                    + " (z holds the F features, then at least the constant unit), got " + dimension);
        }
        int H = dimension - F;
        float[] W = new float[F * H];
        float[] c = new float[H];
        ZigguratSampler.NormalizedGaussian gaussian =
                ZigguratSampler.NormalizedGaussian.of(RandomSource.XO_RO_SHI_RO_128_PP.create(seed));
        double weightScale = 1 / Math.sqrt(F);
        c[0] = 1; // the constant unit: zero weights, bias 1
        for (int j = 1; j < H; j++) {
            c[j] = (float) (0.1 * gaussian.sample());
            for (int i = 0; i < F; i++) {
                W[i * H + j] = (float) (weightScale * gaussian.sample());
            }
        }
        return new DefaultEncoder(contextFeatures, candidateFeatures, dimension, seed, W, c);
    }

    /** Version {@code default-c{Fc}-a{Fa}-d{d}-s{seed}}. */
    public EncoderInfo info() {
        return new EncoderInfo("default-c" + contextFeatures + "-a" + candidateFeatures + "-d" + dimension + "-s" + seed,
                contextFeatures, candidateFeatures, dimension);
    }

    /** Index of the constant-1 component of z: the first hidden unit, right after the F features. */
    public int interceptIndex() {
        return F;
    }

    /** The network as an ONNX model (IR version 7, opset 13) with the metadata {@link OnnxEncoder} reads. */
    public byte[] toOnnx() {
        EncoderInfo info = info();
        ONNXContext context = new ONNXContext();
        context.setName("vitrine_default_encoder");
        ONNXPlaceholder features = context.floatInput(OnnxEncoder.INPUT, F);
        ONNXPlaceholder embedding = context.floatOutput(OnnxEncoder.OUTPUT, dimension);
        ONNXInitializer weights = context.floatTensor("W", List.of(F, H), buffer -> buffer.put(W));
        ONNXInitializer bias = context.array("c", c);

        ONNXNode h = features.apply(ExtraOnnxOperators.MATMUL, weights)
                .apply(ONNXOperators.ADD, bias)
                .apply(ExtraOnnxOperators.RELU);
        Map<String, Object> axis1 = new HashMap<>();
        axis1.put("axis", 1);
        features.apply(ONNXOperators.CONCAT, h, axis1).assignTo(embedding);

        return EncoderModels.write(context.buildGraph(),
                "Vitrine default encoder: embedding = concat(features, relu(features W + c)); "
                        + "hidden unit 0 is the constant 1",
                info.version(), contextFeatures, candidateFeatures);
    }

    /** The same network in plain Java: [N, F] -&gt; [N, d]; accumulates in double, rounds once to float. */
    public float[][] forward(float[][] features) {
        if (features == null) {
            throw new IllegalArgumentException("features must not be null");
        }
        float[][] z = new float[features.length][dimension];
        double[] pre = new double[H];
        for (int r = 0; r < features.length; r++) {
            float[] x = features[r];
            if (x == null || x.length != F) {
                throw new IllegalArgumentException("row " + r + " has " + (x == null ? "no" : x.length)
                        + " features, the encoder expects F = " + F);
            }
            for (int j = 0; j < H; j++) {
                pre[j] = c[j];
            }
            for (int i = 0; i < F; i++) {
                double xi = x[i];
                int row = i * H;
                for (int j = 0; j < H; j++) {
                    pre[j] += xi * W[row + j];
                }
            }
            float[] out = z[r];
            System.arraycopy(x, 0, out, 0, F);
            for (int j = 0; j < H; j++) {
                out[F + j] = (float) Math.max(pre[j], 0);
            }
        }
        return z;
    }

    /**
     * Writes a default encoder model file:
     * {@code --context-features N --candidate-features N --dimension N [--seed N] --out FILE}.
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    private static final String USAGE = String.join(System.lineSeparator(),
            "Usage: DefaultEncoder --context-features N --candidate-features N --dimension N [--seed N] --out FILE",
            "Writes Vitrine's default encoder (a fixed random ReLU feature network) as an ONNX model.",
            "  --context-features N    number of context features Fc (>= 0)",
            "  --candidate-features N  number of candidate features Fa (>= 0), Fc + Fa >= 1",
            "  --dimension N           embedding length d, greater than Fc + Fa",
            "  --seed N                seed of the random weights (default 0)",
            "  --out FILE              the ONNX file to write",
            "  --help                  print this help");

    /** {@link #main} without the exit: 0 on success, 1 if writing failed, 2 for bad arguments. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                out.println(USAGE);
                return 0;
            }
            if (!List.of("--context-features", "--candidate-features", "--dimension", "--seed", "--out").contains(arg)) {
                return usageError(err, "unknown argument '" + arg + "'");
            }
            if (i + 1 >= args.length) {
                return usageError(err, arg + " needs a value");
            }
            options.put(arg, args[++i]);
        }
        DefaultEncoder encoder;
        Path file;
        try {
            int contextFeatures = intOption(options, "--context-features");
            int candidateFeatures = intOption(options, "--candidate-features");
            int dimension = intOption(options, "--dimension");
            long seed = options.containsKey("--seed") ? Long.parseLong(options.get("--seed")) : 0L;
            if (!options.containsKey("--out")) {
                throw new IllegalArgumentException("--out is required");
            }
            file = Path.of(options.get("--out"));
            encoder = random(contextFeatures, candidateFeatures, dimension, seed);
        } catch (NumberFormatException e) {
            return usageError(err, "not a whole number: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            return usageError(err, e.getMessage());
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, encoder.toOnnx());
        } catch (IOException | RuntimeException e) {
            err.println("error: cannot write " + file + ": " + e);
            return 1;
        }
        EncoderInfo info = encoder.info();
        out.println("wrote " + file + ": version " + info.version() + ", F = " + info.features()
                + " (" + info.contextFeatures() + " context + " + info.candidateFeatures() + " candidate), d = "
                + info.dimension() + ", constant 1 at z[" + encoder.interceptIndex() + "]");
        return 0;
    }

    private static int intOption(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return Integer.parseInt(value);
    }

    private static int usageError(PrintStream err, String message) {
        err.println("error: " + message);
        err.println(USAGE);
        return 2;
    }
}
