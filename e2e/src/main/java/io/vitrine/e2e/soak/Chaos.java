package io.vitrine.e2e.soak;

import io.vitrine.e2e.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Kills service instances with SIGKILL, one at a time, and starts each again on its state (same port, same state
 * directory) at once. The victims are drawn at random, every instance as often as the others give or take one, so
 * that even a short soak kills each of them. The kills are spread evenly over the planned traffic, each within 30%
 * of the spacing from its even place, and never before the instance killed last is ready again.
 */
final class Chaos {

    /** One kill: when (ms since the start), whom, and how long until the instance was ready again. */
    record Kill(long atMillis, String victim, long backAfterMillis) {
    }

    private final List<ServiceProcess> victims;
    private final List<String> names;
    private final int kills;
    private final Duration spacing;
    private final Random random;
    private final long startNanos;
    private final List<Kill> done = new CopyOnWriteArrayList<>();

    Chaos(List<ServiceProcess> victims, List<String> names, int kills, Duration plannedTraffic, long seed,
          long startNanos) {
        this.victims = List.copyOf(victims);
        this.names = List.copyOf(names);
        this.kills = kills;
        this.spacing = plannedTraffic.dividedBy(kills + 1L);
        this.random = new Random(seed);
        this.startNanos = startNanos;
    }

    /** Deals every kill; returns once the last killed instance is ready again. */
    void run() throws Exception {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < kills; i++) {
            order.add(i % victims.size());
        }
        Collections.shuffle(order, random);
        for (int i = 0; i < order.size(); i++) {
            int victim = order.get(i);
            long due = startNanos + Math.round(spacing.toNanos() * (i + 1 + 0.6 * (random.nextDouble() - 0.5)));
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            ServiceProcess process = victims.get(victim);
            long at = System.nanoTime();
            process.kill();
            process.start();
            done.add(new Kill((at - startNanos) / 1_000_000, names.get(victim), (System.nanoTime() - at) / 1_000_000));
        }
    }

    List<Kill> done() {
        return List.copyOf(done);
    }
}
