package io.vitrine.selector.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vitrine.selector.decision.PosteriorView;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * What the selector exports on {@code /q/metrics} (Prometheus names in brackets):
 * <ul>
 *   <li>{@code vitrine.decisions} [vitrine_decisions_total{path}]: decisions made, by path (http, topic); their
 *       rate is decisions per second;</li>
 *   <li>{@code vitrine.decisions.rejected} [vitrine_decisions_rejected_total{path,reason}]: requests refused;</li>
 *   <li>{@code vitrine.decision.latency} [vitrine_decision_latency_seconds{path}]: time to decide (encoder and
 *       sampling, without the log write), with a histogram for quantiles;</li>
 *   <li>{@code vitrine.dead.letters} [vitrine_dead_letters_total{service,reason}]: records sent to the dead-letter
 *       topic;</li>
 *   <li>{@code vitrine.posterior.staleness} [vitrine_posterior_staleness_seconds]: age of the newest posterior
 *       snapshot the selector holds (NaN before the first); {@code vitrine.posterior.scopes}: scopes held.</li>
 * </ul>
 */
public final class SelectorMetrics {

    public static final String HTTP = "http";
    public static final String TOPIC = "topic";

    private final MeterRegistry registry;
    /** Per path, registered once: {@link #decided} runs on every decision. */
    private final java.util.Map<String, Counter> decisions = new java.util.HashMap<>();
    private final java.util.Map<String, Timer> latencies = new java.util.HashMap<>();

    public SelectorMetrics(MeterRegistry registry, PosteriorView posteriors) {
        this.registry = registry;
        Gauge.builder("vitrine.posterior.staleness", posteriors, view -> view.newestUpdate()
                        .map(at -> (Instant.now().toEpochMilli() - at.toEpochMilli()) / 1000.0).orElse(Double.NaN))
                .baseUnit("seconds")
                .description("Age of the newest posterior snapshot held").register(registry);
        Gauge.builder("vitrine.posterior.scopes", posteriors, PosteriorView::scopes)
                .description("Scopes with a posterior held").register(registry);
        for (String path : new String[] {HTTP, TOPIC}) {
            decisions.put(path, Counter.builder("vitrine.decisions").tag("path", path)
                    .description("Decisions made, by path").register(registry));
            latencies.put(path, Timer.builder("vitrine.decision.latency").tag("path", path)
                    .description("Time to decide, without logging the decision")
                    .publishPercentileHistogram()
                    .register(registry));
        }
    }

    /** Counts a decision made on {@code path} ({@link #HTTP} or {@link #TOPIC}) and the time it took. */
    public void decided(String path, long nanos) {
        decisions.get(path).increment();
        latencies.get(path).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void rejected(String path, String reason) {
        Counter.builder("vitrine.decisions.rejected").tag("path", path).tag("reason", reason)
                .description("Decision requests refused, by path and reason").register(registry).increment();
    }

    public void deadLetter(String reason) {
        Counter.builder("vitrine.dead.letters").tag("service", "selector").tag("reason", reason)
                .description("Records sent to the dead-letter topic, by reason").register(registry).increment();
    }
}
