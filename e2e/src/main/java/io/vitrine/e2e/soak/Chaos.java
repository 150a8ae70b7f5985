package io.vitrine.e2e.soak;

import io.vitrine.e2e.ServiceProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Kills service instances with SIGKILL and starts each again at once on its state (same port, same state directory).
 * The victims are drawn at random, every instance as often as the others give or take one, so that even a short soak
 * kills each of them. The kills are spread evenly over the planned traffic, each within 30% of the spacing from its
 * even place; an instance still starting is waited for before it is killed again, and so is the other selector
 * before a selector is killed, so that one selector always serves. Other instances may be down at the same time.
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
    private final Set<String> down = ConcurrentHashMap.newKeySet();

    Chaos(List<ServiceProcess> victims, List<String> names, int kills, Duration plannedTraffic, long seed,
          long startNanos) {
        this.victims = List.copyOf(victims);
        this.names = List.copyOf(names);
        this.kills = kills;
        this.spacing = plannedTraffic.dividedBy(kills + 1L);
        this.random = new Random(seed);
        this.startNanos = startNanos;
    }

    /** Deals every kill; returns once every killed instance is ready again. */
    void run() throws Exception {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < kills; i++) {
            order.add(i % victims.size());
        }
        Collections.shuffle(order, random);
        Map<Integer, CompletableFuture<Void>> restarting = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            int victim = order.get(i);
            long due = startNanos + Math.round(spacing.toNanos() * (i + 1 + 0.6 * (random.nextDouble() - 0.5)));
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            awaitBack(restarting.get(victim));
            if (names.get(victim).startsWith("selector")) {
                for (int other = 0; other < victims.size(); other++) {
                    if (other != victim && names.get(other).startsWith("selector")) {
                        awaitBack(restarting.get(other));
                    }
                }
            }
            ServiceProcess process = victims.get(victim);
            long at = System.nanoTime();
            down.add(names.get(victim));
            process.kill();
            process.launch();
            restarting.put(victim, CompletableFuture.runAsync(() -> {
                try {
                    process.awaitReady();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
                done.add(new Kill((at - startNanos) / 1_000_000, names.get(victim),
                        (System.nanoTime() - at) / 1_000_000));
                down.remove(names.get(victim));
            }));
        }
        for (CompletableFuture<Void> back : restarting.values()) {
            awaitBack(back);
        }
    }

    private static void awaitBack(CompletableFuture<Void> restart) throws Exception {
        if (restart == null) {
            return;
        }
        try {
            restart.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e; // the restart's failure, with its log's end
        }
    }

    /**
     * Whether the instance is up and ready: false from its kill until it is ready again, as a load balancer's
     * readiness probe would tell.
     */
    boolean serving(String name) {
        return !down.contains(name);
    }

    /** The kills whose instance is ready again, in the order they were dealt. */
    List<Kill> done() {
        return done.stream().sorted(java.util.Comparator.comparingLong(Kill::atMillis)).toList();
    }
}
