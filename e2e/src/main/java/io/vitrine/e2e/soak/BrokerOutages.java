package io.vitrine.e2e.soak;

import io.vitrine.e2e.LocalBrokers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Takes brokers away under the soak's traffic and brings them back on the same ports and data directory. A single
 * broker is stopped twice, first with SIGTERM (a controlled shutdown), then with SIGKILL (nothing flushed), each time
 * for {@code down}; the services have no broker at all meanwhile. In a cluster one broker, drawn by the seed, is
 * killed with SIGKILL and started again after {@code down}; the others take over the leadership of its partitions.
 * The outages are spread evenly over the planned traffic.
 */
final class BrokerOutages {

    /** How a broker is taken away. */
    enum Signal { SIGTERM, SIGKILL }

    /**
     * One outage, in ms since the traffic started: when the signal was sent, when the process was gone, when it was
     * started again and when it was ready.
     */
    record Outage(int node, Signal signal, long atMillis, long goneMillis, long restartMillis, long readyMillis) {
    }

    private final LocalBrokers brokers;
    private final Duration spacing;
    private final Duration down;
    private final Random random;
    private final long startNanos;
    private final List<Outage> done = new CopyOnWriteArrayList<>();

    BrokerOutages(LocalBrokers brokers, Duration plannedTraffic, Duration down, long seed, long startNanos) {
        this.brokers = brokers;
        this.spacing = plannedTraffic.dividedBy(planned().size() + 1L);
        this.down = down;
        this.random = new Random(seed);
        this.startNanos = startNanos;
    }

    private List<Signal> planned() {
        return brokers.size() == 1 ? List.of(Signal.SIGTERM, Signal.SIGKILL) : List.of(Signal.SIGKILL);
    }

    /** Deals every outage; returns once every broker is ready again. */
    void run() throws Exception {
        List<Signal> signals = planned();
        for (int i = 0; i < signals.size(); i++) {
            long wait = startNanos + spacing.toNanos() * (i + 1) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            int node = brokers.size() == 1 ? 0 : random.nextInt(brokers.size());
            long at = now();
            if (signals.get(i) == Signal.SIGTERM) {
                brokers.stop(node);
            } else {
                brokers.kill(node);
            }
            long gone = now();
            Thread.sleep(Math.max(0, down.toMillis() - (gone - at)));
            long restart = now();
            brokers.start(node);
            done.add(new Outage(node, signals.get(i), at, gone, restart, now()));
        }
    }

    /** The outages dealt so far, each with its broker ready again. */
    List<Outage> done() {
        return new ArrayList<>(done);
    }

    /** How many outages a run deals. */
    int count() {
        return planned().size();
    }

    private long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
