package io.vitrine.learner.control;

import io.micrometer.core.instrument.Counter;
import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.learner.streams.StatisticsRecords;
import io.vitrine.avro.Reward;
import io.vitrine.avro.SlotControl;
import io.vitrine.learner.streams.PosteriorUpdater;
import io.vitrine.service.control.SlotControls;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Stands before the posterior update and applies what operators set on the {@code slot-control} topic:
 * <ul>
 *   <li>a slot whose learning is paused has its rewards left out (they stay on the rewards topic);</li>
 *   <li>a slot reset at time T forgets every reward stamped at or before T: such rewards are left out, and the
 *   statistics of the slot's scopes last updated at or before T are replaced by empty ones (the prior) with the next
 *   version number, so that versions keep growing and every reader sees the reset as a newer posterior.</li>
 * </ul>
 * A reset is applied to the statistics of this task's scopes on the first reward of the scope after it, and by a
 * wall-clock sweep, so that a scope without new rewards is reset too.
 */
public final class LearningGate implements Processor<String, Reward, String, Reward> {

    private static final StringSerializer KEYS = new StringSerializer();

    private final SlotControls controls;
    private final Counter paused;
    private final Counter forgotten;
    private final Duration sweepInterval;
    /** The reset of each slot already swept on this task. */
    private final Map<String, Instant> swept = new HashMap<>();

    private ProcessorContext<String, Reward> context;
    private KeyValueStore<String, PosteriorStatistics> statistics;

    LearningGate(SlotControls controls, Counter paused, Counter forgotten, Duration sweepInterval) {
        this.controls = controls;
        this.paused = paused;
        this.forgotten = forgotten;
        this.sweepInterval = sweepInterval;
    }

    /** A gate that lets every reward through: the topology of a learner without slot controls (tests). */
    public static ProcessorSupplier<String, Reward, String, Reward> open() {
        return () -> new Processor<>() {
            private ProcessorContext<String, Reward> context;

            @Override
            public void init(ProcessorContext<String, Reward> context) {
                this.context = context;
            }

            @Override
            public void process(Record<String, Reward> record) {
                context.forward(record);
            }
        };
    }

    @Override
    public void init(ProcessorContext<String, Reward> context) {
        this.context = context;
        this.statistics = context.getStateStore(PosteriorUpdater.STATISTICS_STORE);
        context.schedule(sweepInterval, PunctuationType.WALL_CLOCK_TIME, now -> sweep());
    }

    @Override
    public void process(Record<String, Reward> record) {
        Reward reward = record.value();
        if (reward == null || reward.getSlot() == null) {
            context.forward(record); // the update names what is wrong with it in a dead letter
            return;
        }
        String slot = reward.getSlot();
        if (!controls.learning(slot)) {
            paused.increment();
            return;
        }
        Instant resetAt = controls.resetAt(slot).orElse(null);
        if (resetAt != null) {
            if (record.timestamp() <= resetAt.toEpochMilli()) {
                forgotten.increment();
                return;
            }
            forget(reward.getScope(), resetAt);
        }
        context.forward(record);
    }

    /** Resets the scopes of every slot reset since its last sweep on this task. */
    private void sweep() {
        for (SlotControl control : controls.all().values()) {
            Instant resetAt = control.getResetAt();
            if (resetAt == null || resetAt.equals(swept.get(control.getSlot()))) {
                continue;
            }
            // A slot's scopes are <slot>@<version> (shared) and <slot>#<candidate>@<version> (per candidate).
            for (String prefix : List.of(control.getSlot() + "@", control.getSlot() + "#")) {
                List<String> scopes = new java.util.ArrayList<>();
                try (KeyValueIterator<String, PosteriorStatistics> it = statistics.prefixScan(prefix, KEYS)) {
                    it.forEachRemaining(entry -> scopes.add(entry.key));
                }
                for (String scope : scopes) {
                    forget(scope, resetAt);
                }
            }
            swept.put(control.getSlot(), resetAt);
        }
    }

    /** Replaces a scope's statistics last updated at or before the reset by empty ones of the next version. */
    private void forget(String scope, Instant resetAt) {
        PosteriorStatistics stored = statistics.get(scope);
        if (stored == null || stored.getUpdatedAt().isAfter(resetAt)) {
            return;
        }
        statistics.put(scope, StatisticsRecords.emptied(stored, resetAt));
    }
}
