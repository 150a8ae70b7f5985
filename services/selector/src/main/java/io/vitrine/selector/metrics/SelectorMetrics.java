package io.vitrine.selector.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vitrine.selector.decision.PosteriorView;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the selector exports on {@code /q/metrics} (Prometheus names in brackets):
 * <ul>
 *   <li>{@code vitrine.decisions} [vitrine_decisions_total{path}]: decisions made, by path (http, topic); their
 *       rate is decisions per second;</li>
 *   <li>{@code vitrine.decisions.rejected} [vitrine_decisions_rejected_total{path,reason}]: requests refused;</li>
 *   <li>{@code vitrine.decisions.replayed} [vitrine_decisions_replayed_total]: retries answered with an earlier
 *       decision of the same request id;</li>
 *   <li>{@code vitrine.decisions.forwarded} [vitrine_decisions_forwarded_total{outcome}]: HTTP decisions whose
 *       request id another instance owns: {@code answered}, the owner's answer relayed; {@code failed}, the owner
 *       not reached in time and the decision made here; {@code no-owner}, decided here as no owner was known
 *       (starting, rebalancing);</li>
 *   <li>{@code vitrine.decision.latency} [vitrine_decision_latency_seconds{path}]: time to decide (encoder and
 *       sampling, without the log write), with a histogram for quantiles;</li>
 *   <li>{@code vitrine.decision.log.write} [vitrine_decision_log_write_seconds{outcome}]: time from handing an HTTP
 *       decision to the producer to Kafka's acknowledgement (or the timeout), histogram;</li>
 *   <li>{@code vitrine.events.accepted} [vitrine_events_accepted_total{type}]: impressions and clicks written
 *       through the event API, acknowledged by Kafka;</li>
 *   <li>{@code vitrine.event.batches.rejected} [vitrine_event_batches_rejected_total{reason}]: event API requests
 *       of which nothing was accepted, by reason ({@code not-logged}: Kafka did not acknowledge in time);</li>
 *   <li>{@code vitrine.dead.letters} [vitrine_dead_letters_total{service,reason}]: records sent to the dead-letter
 *       topic;</li>
 *   <li>{@code vitrine.posterior.staleness} [vitrine_posterior_staleness_seconds]: age of the newest posterior
 *       snapshot the selector holds (NaN before the first); {@code vitrine.posterior.scopes}: scopes held.</li>
 * </ul>
 * Every counter of every known tag value is registered at start, so that {@code rate()} sees the first event.
 */
public final class SelectorMetrics {

    public static final String HTTP = "http";
    public static final String TOPIC = "topic";
    public static final String REQUEST_ID_CONFLICT = "request-id-conflict";
    /** Outcomes of {@link #forwarded}. */
    public static final String FORWARD_ANSWERED = "answered";
    public static final String FORWARD_FAILED = "failed";
    public static final String FORWARD_TIMED_OUT = "timed-out";
    public static final String NO_OWNER = "no-owner";
    /** Reasons of refusal; others (a future kind) are registered when first seen. */
    public static final List<String> REJECTION_REASONS = List.of("invalid-request", "invalid-features",
            "too-many-candidates", "unknown-slot", "malformed-json", REQUEST_ID_CONFLICT, "empty-value",
            io.vitrine.selector.decision.DecisionEngine.MISSING_INCUMBENT);

    /** Why a batch of the event API was refused: its input, or Kafka not acknowledging it in time. */
    public static final List<String> EVENT_REJECTION_REASONS = List.of("invalid-request", "malformed-json",
            "too-many-events", "not-logged");

    private final MeterRegistry registry;
    /** Registered once: these run on every decision. */
    private final Map<String, Counter> decisions = new HashMap<>();
    private final Map<String, Timer> latencies = new HashMap<>();
    private final Counter replayed;
    private final Map<String, Counter> forwarded = new HashMap<>();
    private final Timer logWritten;
    private final Timer logFailed;
    private final Map<String, Counter> eventsAccepted = new HashMap<>();

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
            for (String reason : REJECTION_REASONS) {
                rejectedCounter(path, reason);
            }
        }
        replayed = Counter.builder("vitrine.decisions.replayed")
                .description("Retries answered with the earlier decision of their request id").register(registry);
        for (String outcome : List.of(FORWARD_ANSWERED, FORWARD_FAILED, FORWARD_TIMED_OUT, NO_OWNER)) {
            forwarded.put(outcome, Counter.builder("vitrine.decisions.forwarded").tag("outcome", outcome)
                    .description("HTTP decisions of request ids owned elsewhere, or of no known owner, by outcome")
                    .register(registry));
        }
        logWritten = logTimer("acknowledged");
        logFailed = logTimer("failed");
        for (String type : new String[] {"impression", "click"}) {
            eventsAccepted.put(type, Counter.builder("vitrine.events.accepted").tag("type", type)
                    .description("Events written through the event API and acknowledged by Kafka, by type")
                    .register(registry));
        }
        for (String reason : EVENT_REJECTION_REASONS) {
            eventBatchRejectedCounter(reason);
        }
        for (String reason : List.of("undecodable", "invalid-request", "invalid-features", "too-many-candidates",
                "unknown-slot", "empty-value", io.vitrine.selector.decision.DecisionEngine.MISSING_INCUMBENT)) {
            deadLetterCounter(reason);
        }
    }

    /** Counts a decision made on {@code path} ({@link #HTTP} or {@link #TOPIC}) and the time it took. */
    public void decided(String path, long nanos) {
        decisions.get(path).increment();
        latencies.get(path).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void rejected(String path, String reason) {
        rejectedCounter(path, reason).increment();
    }

    public void replayed() {
        replayed.increment();
    }

    /** Counts a request whose id's owner is another instance or unknown: {@link #FORWARD_ANSWERED} and so on. */
    public void forwarded(String outcome) {
        forwarded.get(outcome).increment();
    }

    /** The time an HTTP decision's log record took to be acknowledged by Kafka, or to fail. */
    public void logWrite(long nanos, boolean acknowledged) {
        (acknowledged ? logWritten : logFailed).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts {@code count} events of {@code type} ({@code impression} or {@code click}) accepted. */
    public void eventsAccepted(String type, int count) {
        eventsAccepted.get(type).increment(count);
    }

    public void eventBatchRejected(String reason) {
        eventBatchRejectedCounter(reason).increment();
    }

    public void deadLetter(String reason) {
        deadLetterCounter(reason).increment();
    }

    private Counter rejectedCounter(String path, String reason) {
        return Counter.builder("vitrine.decisions.rejected").tag("path", path).tag("reason", reason)
                .description("Decision requests refused, by path and reason").register(registry);
    }

    private Counter eventBatchRejectedCounter(String reason) {
        return Counter.builder("vitrine.event.batches.rejected").tag("reason", reason)
                .description("Event API requests refused as a whole, by reason").register(registry);
    }

    private Counter deadLetterCounter(String reason) {
        return Counter.builder("vitrine.dead.letters").tag("service", "selector").tag("reason", reason)
                .description("Records sent to the dead-letter topic, by reason").register(registry);
    }

    private Timer logTimer(String outcome) {
        return Timer.builder("vitrine.decision.log.write").tag("outcome", outcome)
                .description("Time for Kafka to acknowledge an HTTP decision's log record")
                .publishPercentileHistogram()
                .register(registry);
    }
}
