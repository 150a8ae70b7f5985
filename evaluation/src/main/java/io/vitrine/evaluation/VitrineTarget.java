package io.vitrine.evaluation;

import io.vitrine.core.encoder.DefaultEncoder;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.policy.ThompsonSampler;
import io.vitrine.core.policy.UniformExploration;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Vitrine's own policy as a target, in its shared form and under any configuration: the ONNX encoder maps every
 * (context, candidate) pair of a round to z, a Normal-Inverse-Gamma posterior per scope (the slot, as the
 * selector keeps them, or one for the whole log) gives Thompson sampling's probability of each candidate, by
 * Monte Carlo as the selector estimates propensities, mixed with the exploration share. It learns from each
 * logged round after scoring it, as the learner would have: the z of the shown candidate and its reward update
 * the scope's statistics, with forgetting when a half-life is set.
 *
 * <p>It needs rounds that carry their candidates' features ({@link VitrineLog}); a log of bare action ids cannot
 * be scored by a network over candidate features.
 */
public final class VitrineTarget implements TargetPolicy, AutoCloseable {

    /**
     * A configuration to evaluate.
     *
     * @param prior         the posteriors' prior (the selector's and learner's {@code vitrine.prior.*})
     * @param forgetting    the learner's forgetting ({@code vitrine.learner.half-life-events})
     * @param exploration   the selector's {@code vitrine.selector.exploration}
     * @param perSlot       one posterior per slot (the selector's scopes) rather than one for the whole log
     * @param encoder       an ONNX encoder file; empty: the selector's default encoder
     * @param draws         Monte Carlo draws behind each round's probabilities
     */
    public record Config(NigPrior prior, Forgetting forgetting, double exploration, boolean perSlot,
                         Optional<Path> encoder, int draws) {

        public static Config defaults() {
            return new Config(NigPrior.DEFAULT, Forgetting.NONE, 0.05, true, Optional.empty(), 200);
        }

        /**
         * Parses {@code key=value} settings separated by commas over the defaults: {@code lambda}, {@code a0},
         * {@code b0}, {@code half-life}, {@code exploration}, {@code scope} ({@code slot} or {@code global}),
         * {@code encoder} (a path), {@code draws}.
         */
        public static Config parse(String settings) {
            NigPrior prior = NigPrior.DEFAULT;
            double lambda = prior.lambda();
            double a0 = prior.a0();
            double b0 = prior.b0();
            Config c = defaults();
            Forgetting forgetting = c.forgetting();
            double exploration = c.exploration();
            boolean perSlot = c.perSlot();
            Optional<Path> encoder = c.encoder();
            int draws = c.draws();
            if (settings != null && !settings.isBlank()) {
                for (String setting : settings.split(",")) {
                    String[] kv = setting.split("=", 2);
                    if (kv.length != 2) {
                        throw new IllegalArgumentException("'" + setting + "' is not key=value");
                    }
                    String key = kv[0].trim();
                    String value = kv[1].trim();
                    try {
                        switch (key) {
                            case "lambda" -> lambda = Double.parseDouble(value);
                            case "a0" -> a0 = Double.parseDouble(value);
                            case "b0" -> b0 = Double.parseDouble(value);
                            case "half-life" -> forgetting = Forgetting.halfLife(Double.parseDouble(value));
                            case "exploration" -> exploration = Double.parseDouble(value);
                            case "scope" -> perSlot = switch (value) {
                                case "slot" -> true;
                                case "global" -> false;
                                default -> throw new IllegalArgumentException("scope must be slot or global, got "
                                        + value);
                            };
                            case "encoder" -> encoder = Optional.of(Path.of(value));
                            case "draws" -> draws = Integer.parseInt(value);
                            default -> throw new IllegalArgumentException("unknown setting '" + key
                                    + "' (known: lambda, a0, b0, half-life, exploration, scope, encoder, draws)");
                        }
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(key + ": not a number: " + value);
                    }
                }
            }
            new UniformExploration(exploration); // validates the share
            if (draws < 1) {
                throw new IllegalArgumentException("draws must be at least 1, got " + draws);
            }
            return new Config(new NigPrior(lambda, a0, b0), forgetting, exploration, perSlot, encoder, draws);
        }

        String describe() {
            return String.format(Locale.ROOT, "vitrine(lambda=%s, a0=%s, b0=%s%s, exploration=%s, scope=%s%s)",
                    Diagnostics.format(prior.lambda()), Diagnostics.format(prior.a0()),
                    Diagnostics.format(prior.b0()),
                    forgetting.enabled() ? ", half-life=" + Diagnostics.format(forgetting.halfLifeEvents()) : "",
                    Diagnostics.format(exploration), perSlot ? "slot" : "global",
                    encoder.map(p -> ", encoder=" + p.getFileName()).orElse(""));
        }
    }

    private final String name;
    private final Config config;
    private final OnnxEncoder encoder;
    private final ThompsonSampler sampler;
    private final Map<String, SufficientStatistics> statistics = new HashMap<>();
    private final Map<String, NormalInverseGammaPosterior> posteriors = new LinkedHashMap<>();
    private long seed;
    private float[][] lastZ;

    /**
     * @param name a name for the report, or null for one that spells the configuration
     * @param seed seed of the Monte Carlo draws (one decision seed per round follows from it)
     */
    public VitrineTarget(String name, Config config, long seed) {
        // The same default encoder as the selector's (vitrine.encoder.defaults.*), through ONNX Runtime.
        this(name, config, config.encoder().map(OnnxEncoder::load)
                .orElseGet(() -> OnnxEncoder.load(DefaultEncoder.random(8, 8, 32, 1).toOnnx())), seed);
    }

    /** With an encoder already loaded (the configuration's {@code encoder} is ignored); closing closes it. */
    public VitrineTarget(String name, Config config, OnnxEncoder encoder, long seed) {
        this.config = config;
        this.name = name != null ? name : config.describe();
        this.encoder = encoder;
        this.sampler = new ThompsonSampler(config.draws(), new UniformExploration(config.exploration()));
        this.seed = seed;
    }

    /**
     * Learns one reward seen before the evaluation starts (a warm start on older rewards), as the learner does:
     * the shown pair's z and its reward update the scope's statistics.
     *
     * @param slot the round's slot (its scope when the configuration keeps one posterior per slot)
     */
    public void learn(String slot, float[] context, float[] candidate, double reward) {
        float[] z = encoder.encode(context, new float[][] {candidate})[0];
        String scope = config.perSlot() && slot != null ? slot : "";
        SufficientStatistics s = statistics.computeIfAbsent(scope, k -> SufficientStatistics.empty(z.length));
        config.forgetting().update(s, z, reward);
        posteriors.remove(scope);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double[] probabilities(LoggedRound round) {
        if (round.candidates() == null) {
            throw new IllegalArgumentException(name + " scores candidates by their features, which this log does "
                    + "not carry (evaluate Vitrine's decision and reward logs, not a log of action ids)");
        }
        lastZ = encoder.encode(round.context(), round.candidates());
        return sampler.explain(posterior(round), lastZ, 1, seed++).propensities(); // a fresh array per call
    }

    @Override
    public void observe(LoggedRound round) {
        float[] z = lastZ[round.action()];
        String scope = scope(round);
        SufficientStatistics s = statistics.computeIfAbsent(scope, k -> SufficientStatistics.empty(z.length));
        config.forgetting().update(s, z, round.reward());
        posteriors.remove(scope);
    }

    private NormalInverseGammaPosterior posterior(LoggedRound round) {
        String scope = scope(round);
        return posteriors.computeIfAbsent(scope, k -> {
            SufficientStatistics s = statistics.get(k);
            return s == null ? NormalInverseGammaPosterior.prior(encoder.info().dimension(), config.prior())
                    : NormalInverseGammaPosterior.fromStatistics(s, config.prior());
        });
    }

    private String scope(LoggedRound round) {
        return config.perSlot() && round.slot() != null ? round.slot() : "";
    }

    @Override
    public void close() {
        encoder.close();
    }
}
