package io.vitrine.learner.control;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vitrine.avro.Reward;
import io.vitrine.service.control.SlotControls;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * The learner's side of the slot controls: the gate every posterior update is behind ({@link LearningGate}), and
 * how many rewards it left out, on {@code /q/metrics} as {@code vitrine_rewards_held_back_total{reason}}.
 */
public final class LearningControl {

    /** How often each task looks for resets to apply to scopes that got no reward since. */
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

    private final SlotControls controls;
    private final Counter paused;
    private final Counter forgotten;

    public LearningControl(SlotControls controls, MeterRegistry registry) {
        this.controls = controls;
        this.paused = Counter.builder("vitrine.rewards.held.back").tag("reason", "paused")
                .description("Rewards left out of the posteriors because their slot's learning was paused")
                .register(registry);
        this.forgotten = Counter.builder("vitrine.rewards.held.back").tag("reason", "before-reset")
                .description("Rewards left out of the posteriors because their slot was reset after them")
                .register(registry);
    }

    public ProcessorSupplier<String, Reward, String, Reward> gate() {
        return () -> new LearningGate(controls, paused, forgotten, SWEEP_INTERVAL);
    }
}
