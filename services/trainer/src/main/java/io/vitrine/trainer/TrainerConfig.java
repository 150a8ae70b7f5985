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

    interface Topics {
        @WithDefault("vitrine.")
        String prefix();
    }

    interface SchemaRegistry {
        Optional<String> url();

        Map<String, String> properties();
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

        /** Fewer new rewards than this never start a training by themselves. */
        @WithDefault("500")
        int minRewards();

        /** The newest rewards kept in memory to train on; older ones are dropped as new ones come. */
        @WithDefault("200000")
        int capacity();

        /**
         * Mini-batch steps per training. The shared recipe takes 100 steps per 1,000 rewards in the policy it was
         * measured with (NeuralLinearConfig.vitrineDefault()); 500 keeps that rate for a version every 5,000.
         */
        @WithDefault("500")
        int steps();

        /** Seed of the initial weights and batches; each training adds its number to it. */
        @WithDefault("1")
        long seed();
    }
}
