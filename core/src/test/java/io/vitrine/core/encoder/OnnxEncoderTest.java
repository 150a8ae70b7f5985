package io.vitrine.core.encoder;

import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxEncoderTest {

    @Test
    void onnxRuntimeOutputEqualsThePlainJavaForwardPass() {
        for (long seed = 1; seed <= 3; seed++) {
            DefaultEncoder network = DefaultEncoder.random(5, 7, 40, seed);
            try (OnnxEncoder encoder = OnnxEncoder.load(network.toOnnx())) {
                float[][] x = randomRows(64, 12, seed + 10);
                assertClose(network.forward(x), encoder.run(x));
            }
        }
    }

    @Test
    void encodeConcatenatesContextAndEachCandidate() {
        DefaultEncoder network = DefaultEncoder.random(3, 2, 16, 7L);
        try (OnnxEncoder encoder = OnnxEncoder.load(network.toOnnx())) {
            float[] context = {0.5f, -1f, 2f};
            float[][] candidates = {{1f, 0f}, {-0.3f, 0.8f}, {2.5f, -2f}};
            float[][] rows = new float[3][5];
            for (int i = 0; i < 3; i++) {
                System.arraycopy(context, 0, rows[i], 0, 3);
                System.arraycopy(candidates[i], 0, rows[i], 3, 2);
            }
            float[][] z = encoder.encode(context, candidates);
            assertClose(network.forward(rows), z);
            assertArrayEquals(rows[1], Arrays.copyOf(z[1], 5), "the raw features lead z");
            assertEquals(0, encoder.encode(context, new float[0][]).length);
        }
    }

    @Test
    void infoReportsFeaturesDimensionAndVersionFromTheMetadata() {
        DefaultEncoder network = DefaultEncoder.random(4, 6, 32, 99L);
        EncoderInfo expected = new EncoderInfo("default-c4-a6-d32-s99", 4, 6, 32);
        assertEquals(expected, network.info());
        try (OnnxEncoder encoder = OnnxEncoder.load(network.toOnnx())) {
            assertEquals(expected, encoder.info());
            assertEquals(10, encoder.info().features());
        }
    }

    @Test
    void embeddingHoldsAConstantOneColumn() {
        DefaultEncoder network = DefaultEncoder.random(2, 3, 12, 5L);
        int intercept = network.interceptIndex();
        assertEquals(5, intercept);
        float[][] x = randomRows(200, 5, 3L);
        for (int r = 0; r < x.length; r++) {
            for (int j = 0; j < 5; j++) {
                x[r][j] *= 100; // large inputs must not leak into the constant unit
            }
        }
        try (OnnxEncoder encoder = OnnxEncoder.load(network.toOnnx())) {
            float[][] z = encoder.run(x);
            float[][] plain = network.forward(x);
            for (int r = 0; r < x.length; r++) {
                assertEquals(1.0f, z[r][intercept], "row " + r);
                assertEquals(1.0f, plain[r][intercept], "row " + r);
            }
            // The other hidden units are not constant: the network does something.
            boolean varies = false;
            for (int r = 1; r < x.length && !varies; r++) {
                varies = z[r][intercept + 1] != z[0][intercept + 1] || z[r][intercept + 2] != z[0][intercept + 2];
            }
            assertTrue(varies);
        }
    }

    @Test
    void sameSeedGivesTheSameNetworkAndOtherSeedsDiffer() {
        float[][] x = randomRows(4, 6, 1L);
        DefaultEncoder a = DefaultEncoder.random(3, 3, 20, 123L);
        DefaultEncoder b = DefaultEncoder.random(3, 3, 20, 123L);
        DefaultEncoder c = DefaultEncoder.random(3, 3, 20, 124L);
        assertArrayEquals(a.toOnnx(), b.toOnnx());
        assertArrayEquals(a.forward(x), b.forward(x));
        assertFalse(Arrays.deepEquals(a.forward(x), c.forward(x)));
        assertNotEquals(a.info().version(), c.info().version());
    }

    @Test
    void randomWeightsHaveTheDocumentedScale() {
        // For x = e_i and x = -e_i unit j sees u = W_ij + c_j and v = -W_ij + c_j. With W_ij ~ N(0, 1/F) and
        // c_j ~ N(0, 0.01) both symmetric and independent, E[Relu(u)^2 + Relu(v)^2] = Var(W + c) = 1/F + 0.01.
        int F = 50;
        int H = 400;
        DefaultEncoder network = DefaultEncoder.random(F, 0, F + H, 17L);
        float[][] basis = new float[2 * F][F];
        for (int i = 0; i < F; i++) {
            basis[i][i] = 1;
            basis[F + i][i] = -1;
        }
        float[][] z = network.forward(basis);
        // Terms of one unit share c_j, so the independent units are the hidden units: average per unit, then take
        // the standard error over the H - 1 random units.
        int units = H - 1;
        double[] perUnit = new double[units];
        for (int j = 1; j < H; j++) {
            double sum = 0;
            for (int i = 0; i < F; i++) {
                double up = z[i][F + j];
                double down = z[F + i][F + j];
                sum += up * up + down * down;
            }
            perUnit[j - 1] = sum / F;
        }
        double mean = 0;
        for (double m : perUnit) {
            mean += m / units;
        }
        double var = 0;
        for (double m : perUnit) {
            var += (m - mean) * (m - mean) / (units - 1);
        }
        double se = Math.sqrt(var / units);
        assertEquals(1.0 / F + 0.01, mean, 5 * se);
        // ... and the check has power: a weight scale of 1 / F or 1 instead of 1 / sqrt(F) would be far outside.
        assertTrue(Math.abs(1.0 / (F * F) + 0.01 - mean) > 10 * se);
    }

    @Test
    void mainWritesAModelFileThatLoads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("models/encoder.onnx");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DefaultEncoder.run(new String[]{"--context-features", "3", "--candidate-features", "4",
                "--dimension", "16", "--seed", "8", "--out", file.toString()}, print(out), print(err));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("default-c3-a4-d16-s8"));
        try (OnnxEncoder encoder = OnnxEncoder.load(file)) {
            assertEquals(new EncoderInfo("default-c3-a4-d16-s8", 3, 4, 16), encoder.info());
            float[][] x = randomRows(3, 7, 2L);
            assertClose(DefaultEncoder.random(3, 4, 16, 8L).forward(x), encoder.run(x));
        }
        assertArrayEquals(DefaultEncoder.random(3, 4, 16, 8L).toOnnx(), Files.readAllBytes(file));
    }

    @Test
    void mainPrintsUsageAndFailsOnBadArguments(@TempDir Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, DefaultEncoder.run(new String[]{"--help"}, print(out), print(new ByteArrayOutputStream())));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Usage:"));

        String file = dir.resolve("x.onnx").toString();
        assertUsageError(new String[]{"--context-features", "3", "--dimension", "9", "--out", file}, "--candidate-features is required");
        assertUsageError(new String[]{"--context-features", "three"}, "not a whole number");
        assertUsageError(new String[]{"--colour", "red"}, "unknown argument '--colour'");
        assertUsageError(new String[]{"--context-features", "3", "--candidate-features", "4", "--dimension", "7",
                "--out", file}, "dimension must be greater than the number of features F = 7");
        assertUsageError(new String[]{"--out"}, "--out needs a value");
        assertFalse(Files.exists(Path.of(file)));
    }

    @Test
    void aModelWithEmbeddingsLargerThanAPosteriorHoldsIsRefused() {
        byte[] largest = DefaultEncoder.random(8, 8, EncoderInfo.MAX_DIMENSION, 1).toOnnx();
        try (OnnxEncoder encoder = OnnxEncoder.load(largest)) {
            assertEquals(EncoderInfo.MAX_DIMENSION, encoder.info().dimension());
        }
        byte[] tooLarge = DefaultEncoder.random(8, 8, EncoderInfo.MAX_DIMENSION + 1, 1).toOnnx();
        EncoderException refused = assertThrows(EncoderException.class, () -> OnnxEncoder.load(tooLarge));
        assertTrue(refused.getMessage().contains("embeddings of 257 values")
                && refused.getMessage().contains("at most 256"), refused.getMessage());
    }

    @Test
    void invalidModelBytesGiveAClearEncoderException(@TempDir Path dir) {
        EncoderException garbage = assertThrows(EncoderException.class,
                () -> OnnxEncoder.load(new byte[]{1, 2, 3, 4, 5}));
        assertTrue(garbage.getMessage().contains("is not a loadable ONNX model"), garbage.getMessage());
        assertTrue(garbage.getMessage().contains("'features'"), garbage.getMessage());

        EncoderException empty = assertThrows(EncoderException.class, () -> OnnxEncoder.load(new byte[0]));
        assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());

        Path missing = dir.resolve("nope.onnx");
        EncoderException noFile = assertThrows(EncoderException.class, () -> OnnxEncoder.load(missing));
        assertTrue(noFile.getMessage().contains("cannot read the encoder model file " + missing), noFile.getMessage());
    }

    @Test
    void missingFeatureMetadataNamesTheKeyAndTheDocs() {
        byte[] model = TestModels.identity("features", "embedding", 4,
                Map.of(OnnxEncoder.CONTEXT_FEATURES_KEY, "2"));
        EncoderException e = assertThrows(EncoderException.class, () -> OnnxEncoder.load(model));
        assertTrue(e.getMessage().contains("'" + OnnxEncoder.CANDIDATE_FEATURES_KEY + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("docs/encoder.md"), e.getMessage());

        Map<String, String> notANumber = new HashMap<>(TestModels.features(2, 2));
        notANumber.put(OnnxEncoder.CONTEXT_FEATURES_KEY, "two");
        EncoderException nan = assertThrows(EncoderException.class,
                () -> OnnxEncoder.load(TestModels.identity("features", "embedding", 4, notANumber)));
        assertTrue(nan.getMessage().contains("'two'"), nan.getMessage());
    }

    @Test
    void missingVersionFallsBackToTheModelHash() throws Exception {
        byte[] model = TestModels.identity("features", "embedding", 4, TestModels.features(1, 3));
        String hash = OnnxEncoder.sha256Hex(model);
        assertEquals(64, hash.length());
        try (OnnxEncoder encoder = OnnxEncoder.load(model)) {
            assertEquals(new EncoderInfo("sha256:" + hash.substring(0, 12), 1, 3, 4), encoder.info());
            assertTrue(encoder.info().version().matches("sha256:[0-9a-f]{12}"));
            float[][] z = encoder.encode(new float[]{1}, new float[][]{{2, 3, 4}});
            assertArrayEquals(new float[]{1, 2, 3, 4}, z[0]);
        }
        // The hash is the SHA-256 of the bytes as loaded.
        String expected = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(model));
        assertEquals(expected, hash);
    }

    @Test
    void featureCountThatDisagreesWithTheModelIsRejected() {
        byte[] model = TestModels.identity("features", "embedding", 5, TestModels.features(2, 2));
        EncoderException e = assertThrows(EncoderException.class, () -> OnnxEncoder.load(model));
        assertTrue(e.getMessage().contains("F = 5"), e.getMessage());
        assertTrue(e.getMessage().contains("= 4"), e.getMessage());
    }

    @Test
    void wrongInputOrOutputNameIsRejected() {
        EncoderException input = assertThrows(EncoderException.class,
                () -> OnnxEncoder.load(TestModels.identity("x", "embedding", 3, TestModels.features(1, 2))));
        assertTrue(input.getMessage().contains("has inputs [x]"), input.getMessage());
        assertTrue(input.getMessage().contains("'features'"), input.getMessage());

        EncoderException output = assertThrows(EncoderException.class,
                () -> OnnxEncoder.load(TestModels.identity("features", "out", 3, TestModels.features(1, 2))));
        assertTrue(output.getMessage().contains("has outputs [out]"), output.getMessage());
        assertTrue(output.getMessage().contains("'embedding'"), output.getMessage());
    }

    @Test
    void wrongFeatureLengthsAndNaNAreRejectedWithTheirPosition() {
        try (OnnxEncoder encoder = OnnxEncoder.load(DefaultEncoder.random(2, 3, 8, 1L).toOnnx())) {
            float[] context = {1, 2};
            assertMessage(() -> encoder.encode(new float[]{1}, new float[][]{{1, 2, 3}}),
                    "context has 1 features, the encoder expects 2");
            assertMessage(() -> encoder.encode(new float[]{1, Float.NaN}, new float[][]{{1, 2, 3}}),
                    "context feature 1 is not finite");
            assertMessage(() -> encoder.encode(context, new float[][]{{1, 2, 3}, {1, 2, 3}, {1, 2}}),
                    "candidate 2 has 2 features, the encoder expects 3");
            assertMessage(() -> encoder.encode(context, new float[][]{{1, 2, 3}, {1, 2, Float.POSITIVE_INFINITY}}),
                    "candidate 1 feature 2 is not finite");
            assertMessage(() -> encoder.run(new float[][]{{1, 2, 3, 4, 5}, {1, 2, 3, 4}}),
                    "row 1 has 4 features, the encoder expects F = 5");
            assertMessage(() -> encoder.run(new float[][]{{1, 2, Float.NaN, 4, 5}}), "row 0 feature 2 is not finite");
        }
    }

    @Test
    void concurrentCallsGiveTheSameResultsAsSequentialOnes() throws Exception {
        DefaultEncoder network = DefaultEncoder.random(6, 10, 48, 3L);
        try (OnnxEncoder encoder = OnnxEncoder.load(network.toOnnx())) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    long seed = t;
                    results.add(pool.submit(() -> {
                        for (int i = 0; i < 100; i++) {
                            float[][] x = randomRows(20, 16, seed * 1000 + i);
                            assertClose(network.forward(x), encoder.run(x));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : results) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void closedEncoderRefusesToRun() {
        OnnxEncoder encoder = OnnxEncoder.load(DefaultEncoder.random(1, 1, 4, 1L).toOnnx());
        encoder.close();
        encoder.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> encoder.run(new float[][]{{1, 2}}));
    }

    @Test
    void defaultEncoderRejectsADimensionThatLeavesNoHiddenUnit() {
        assertMessage(() -> DefaultEncoder.random(3, 3, 6, 1L), "dimension must be greater than");
        assertMessage(() -> DefaultEncoder.random(0, 0, 6, 1L), "at least one feature");
    }

    static float[][] randomRows(int N, int F, long seed) {
        ZigguratSampler.NormalizedGaussian gauss =
                ZigguratSampler.NormalizedGaussian.of(RandomSource.XO_RO_SHI_RO_128_PP.create(seed));
        float[][] x = new float[N][F];
        for (int r = 0; r < N; r++) {
            for (int j = 0; j < F; j++) {
                x[r][j] = (float) (1.5 * gauss.sample());
            }
        }
        return x;
    }

    /** Within 1e-5, relative to the size of the value when it exceeds 1. */
    static void assertClose(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int r = 0; r < expected.length; r++) {
            assertEquals(expected[r].length, actual[r].length);
            for (int j = 0; j < expected[r].length; j++) {
                float e = expected[r][j];
                assertEquals(e, actual[r][j], 1e-5 * Math.max(1, Math.abs(e)), "row " + r + ", z[" + j + "]");
            }
        }
    }

    private static void assertUsageError(String[] args, String fragment) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DefaultEncoder.run(args, print(new ByteArrayOutputStream()), print(err));
        assertEquals(2, status);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(fragment), text);
        assertTrue(text.contains("Usage:"), text);
    }

    private static void assertMessage(Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should mention '" + fragment + "'");
    }

    private static PrintStream print(ByteArrayOutputStream buffer) {
        return new PrintStream(buffer, true, StandardCharsets.UTF_8);
    }
}
