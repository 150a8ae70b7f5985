package io.vitrine.e2e.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a soak does.
 *
 * @param events              events to write at least: decisions answered over HTTP, impressions and clicks
 * @param kills               SIGKILLs to deal at least, each followed by a restart of the killed instance
 * @param decisionsPerSecond  the steady rate of decision requests (each answered decision is shown, about a third
 *                            clicked: some 2.4 events per decision)
 * @param slots               slots the decisions spread over (one posterior each)
 * @param window              the learner's attribution window (its other margins are its defaults, but for its
 *                            allowed lateness: see Soak)
 * @param seed                seed of the traffic and of the kill schedule
 * @param out                 where the services' state and logs, the timeline and the plot go
 * @param brokerLoss          brokers the soak starts as processes of their own and takes away under the traffic;
 *                            empty: the soak runs on a broker it is given and never touches
 */
public record SoakSettings(int events, int kills, int decisionsPerSecond, int slots, Duration window, long seed,
                           Path out, Optional<BrokerLoss> brokerLoss) {

    public SoakSettings {
        if (events < 1 || kills < 0 || decisionsPerSecond < 1 || slots < 1) {
            throw new IllegalArgumentException("events, rate and slots must be positive and kills not negative: "
                    + events + ", " + decisionsPerSecond + ", " + slots + ", " + kills);
        }
        Objects.requireNonNull(brokerLoss, "brokerLoss");
    }

    /** A soak on a broker it is given, which stays up. */
    public SoakSettings(int events, int kills, int decisionsPerSecond, int slots, Duration window, long seed, Path out) {
        this(events, kills, decisionsPerSecond, slots, window, seed, out, Optional.empty());
    }

    /**
     * Brokers lost under the traffic.
     *
     * @param brokers 1: the single broker, stopped twice (SIGTERM, then SIGKILL) and started again each time; 3: a
     *                cluster (replication 3, {@code min.insync.replicas} 2) of which one broker is killed with SIGKILL
     *                and started again
     * @param down    how long a broker stays away each time
     */
    public record BrokerLoss(int brokers, Duration down) {

        public BrokerLoss {
            if (brokers != 1 && brokers != 3) {
                throw new IllegalArgumentException("broker loss runs on 1 broker or a cluster of 3, not " + brokers);
            }
            if (down.isNegative() || down.isZero()) {
                throw new IllegalArgumentException("a broker must stay away for some time, not " + down);
            }
        }
    }

    /** Events a decision brings on average: itself, its impression and a click a third of the time. */
    static final double EVENTS_PER_DECISION = 2.4;

    /** How long the traffic takes at the configured rate, if no decision fails. */
    Duration plannedDuration() {
        return Duration.ofMillis(Math.round(1000.0 * events / (decisionsPerSecond * EVENTS_PER_DECISION)));
    }
}
