package io.vitrine.evaluation;

import picocli.CommandLine.Option;

/** The estimator settings both evaluation commands take (a picocli mixin). */
public final class EstimatorOptions {

    @Option(names = "--clip", defaultValue = "20", description = "Weight clip of clipped IPS (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--replicates", defaultValue = "200", description = "Bootstrap replicates per interval (default: ${DEFAULT-VALUE}).")
    int replicates;

    @Option(names = "--level", defaultValue = "0.95", description = "Confidence level of the intervals (default: ${DEFAULT-VALUE}).")
    double level;

    @Option(names = "--ridge", defaultValue = "0.01",
            description = "Ridge penalty of the reward model's slopes (direct method, doubly robust) (default: ${DEFAULT-VALUE}).")
    double ridge;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the bootstrap, of replay's draws and of simulated logs (default: ${DEFAULT-VALUE}).")
    long seed;
}
