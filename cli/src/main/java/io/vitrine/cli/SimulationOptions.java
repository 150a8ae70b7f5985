package io.vitrine.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that run the simulator. */
public final class SimulationOptions {

    @Option(names = "--decisions", defaultValue = "20000", paramLabel = "N",
            description = "Decisions to ask for (default: ${DEFAULT-VALUE}).")
    long decisions;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed of the world, the visitors and the clicks (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--concurrency", defaultValue = "8", paramLabel = "C",
            description = "Requests in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "PER_SECOND",
            description = "Pace of the requests per second; 0 for as fast as the selector answers (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--slots", defaultValue = "4",
            description = "Slots in the synthetic world (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--candidates", defaultValue = "6",
            description = "Candidates per slot (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(names = "--buckets", defaultValue = "10",
            description = "Consecutive slices of the run reported separately (default: ${DEFAULT-VALUE}).")
    int buckets;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Where to write the JSON report (default: <command>-<timestamp>.json under .vitrine).")
    Path out;
}
