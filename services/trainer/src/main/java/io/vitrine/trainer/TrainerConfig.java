package io.vitrine.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Configuration of the trainer, under {@code vitrine.*}; documented in the README. */
@ConfigMapping(prefix = "vitrine")
public interface TrainerConfig {

    Topics topics();

    SchemaRegistry schemaRegistry();

    Trainer trainer();

    /** The selectors' built-in encoder (same keys and defaults as the selector's): what serves before any version. */
    Encoder encoder();

    /** The posteriors' prior (same keys and defaults as the selector's and learner's). */
    Prior prior();

    interface Encoder {
        /** An ONNX encoder file the selectors load instead of the default random network. */
        Optional<java.nio.file.Path> path();

        Default defaults();

        interface Default {
            @WithDefault("8")
            int contextFeatures();

            @WithDefault("8")
            int candidateFeatures();

            @WithDefault("32")
            int dimension();

            @WithDefault("1")
            long seed();
        }
    }

    interface Prior {
        @WithDefault("1.0")
        double lambda();

        @WithDefault("2.0")
        double a0();

        @WithDefault("0.25")
        double b0();
    }

    interface Topics {
        @WithDefault("vitrine.")
        String prefix();
    }

    interface SchemaRegistry {
        Optional<String> url();

        Map<String, String> properties();
    }

    /** The encoder form a training fits. */
    enum Form {
        BILINEAR, MLP
    }

    interface Trainer {
        /** Off: the trainer follows the log and trains only on request ({@code POST /v1/trainer/train}). */
        @WithDefault("true")
        boolean enabled();

        /** Train once this many rewards arrived since the last training. */
        @WithDefault("5000")
        int everyRewards();

        /** ... or once this much time passed since the last training, if at least {@code min-rewards} arrived. */
        @WithDefault("1h")
        Duration every();

        /**
         * A training due by count or period waits while the newest version that passed its gate is still being
         * rebuilt by the learner (a newer one would supersede it and throw its replay away), for at most this long
         * after that version's publication; 0 never waits. A training on request never waits.
         */
        @WithDefault("5m")
        Duration rebuildWait();

        /** Fewer new rewards than this never start a training by themselves. */
        @WithDefault("500")
        int minRewards();

        /** The newest rewards kept in memory to train on; older ones are dropped as new ones come. */
        @WithDefault("200000")
        int capacity();

        /**
         * What a training fits. {@code bilinear} (the default): {@code z = [1, x, x_c^T B x_a]}, B from an
         * L2-regularised logistic regression solved exactly, so every slot's posterior stays F + 2 dimensional and no
         * learning-rate recipe is involved; at most 256 context x candidate products. {@code mlp}: the reward network
         * of the shared recipe, {@code z = [1, x, h]} with 64 ReLU units, warm-started from the newest version that
         * passed (docs/encoder.md compares them).
         */
        @WithDefault("bilinear")
        Form form();

        /** The bilinear form's L2 penalty on its weights, in rows. */
        @WithDefault("10")
        double penalty();

        /**
         * Mini-batch steps per training of the {@code mlp} form. The shared recipe takes 100 steps per 1,000 rewards in the policy it was
         * measured with (NeuralLinearConfig.vitrineDefault()); 500 keeps that rate for a version every 5,000.
         */
        @WithDefault("500")
        int steps();

        /** Seed of the initial weights and batches; each training adds its number to it. */
        @WithDefault("1")
        long seed();

        /**
         * The learner's Kafka Streams application id: each version's rebuild runs as {@code <id>-v-<version>}, whose
         * committed offsets tell when the version is ready to serve.
         */
        @WithDefault("${vitrine.topics.prefix}learner")
        String learnerApplicationId();

        /**
         * Prefix of the trainer's two transactional ids ({@code <id>-encoders}, {@code <id>-serving}). Every trainer
         * of a deployment uses the same: one that starts fences any older one still running, which then writes no
         * version or promotion and reports itself not ready.
         */
        @WithDefault("${vitrine.topics.prefix}trainer")
        String transactionalId();

        Gate gate();
    }

    /** The off-policy comparison a new version must pass before it serves. */
    interface Gate {
        /** Off: versions are published without a verdict, and every one is rebuilt and promoted once ready. */
        @WithDefault("true")
        boolean enabled();

        /** Share of the newest rewards held out of training, on which the new and the serving version are compared. */
        @WithDefault("0.2")
        double holdout();

        /** Fewer held-out decisions than this (with their candidates, one shown) and the gate refuses: too few to tell. */
        @WithDefault("200")
        int minRounds();

        /**
         * The margin, in reward per decision: how much worse than the serving version a new one may be estimated
         * ({@link #rule()}) and still pass, for DR and for SNIPS.
         */
        @WithDefault("0.01")
        double margin();

        /**
         * What the gate asks of the paired difference (new minus serving) for DR and for SNIPS: {@code estimate}, that
         * it is above minus the margin (the evidence does not say the new version is worse by more than the margin;
         * it passes when unsure), or {@code lower-bound}, that its 95% lower bound is (shown not to be worse: a
         * non-inferiority test, which needs enough held-out decisions to pass at all).
         */
        @WithDefault("estimate")
        Rule rule();

        enum Rule { ESTIMATE, LOWER_BOUND }

        /** Monte Carlo draws per decision for the policies' probabilities (as the selector's propensity samples). */
        @WithDefault("100")
        int draws();

        /** The selectors' exploration share, part of both policies. */
        @WithDefault("0.05")
        double exploration();

        /** Bootstrap replicates of the estimates' 95% intervals. */
        @WithDefault("200")
        int replicates();

        /** How often the trainer looks for a ready version to promote. */
        @WithDefault("1s")
        Duration checkEvery();
    }
}
