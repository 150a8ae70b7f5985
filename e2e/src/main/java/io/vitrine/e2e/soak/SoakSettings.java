package io.vitrine.e2e.soak;

import java.nio.file.Path;
import java.time.Duration;

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
 */
public record SoakSettings(int events, int kills, int decisionsPerSecond, int slots, Duration window, long seed,
                           Path out) {

    public SoakSettings {
        if (events < 1 || kills < 0 || decisionsPerSecond < 1 || slots < 1) {
            throw new IllegalArgumentException("events, rate and slots must be positive and kills not negative: "
                    + events + ", " + decisionsPerSecond + ", " + slots + ", " + kills);
        }
    }

    /** Events a decision brings on average: itself, its impression and a click a third of the time. */
    static final double EVENTS_PER_DECISION = 2.4;

    /** How long the traffic takes at the configured rate, if no decision fails. */
    Duration plannedDuration() {
        return Duration.ofMillis(Math.round(1000.0 * events / (decisionsPerSecond * EVENTS_PER_DECISION)));
    }
}
