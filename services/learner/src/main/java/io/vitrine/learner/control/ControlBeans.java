package io.vitrine.learner.control;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.vitrine.learner.config.LearnerConfig;
import io.vitrine.schemas.WireFormat;
import io.vitrine.service.control.SlotControls;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;

/** The slot controls every learner follows, and the gate built on them. */
@ApplicationScoped
public class ControlBeans {

    @Produces
    @Singleton
    @Startup
    SlotControls slotControls(LearnerConfig config, WireFormat wire,
                              @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        SlotControls controls = SlotControls.of(kafka, config.topics().prefix(), wire, "slot-control");
        controls.start();
        return controls;
    }

    void closeSlotControls(@Disposes SlotControls controls) throws InterruptedException {
        controls.close();
    }

    @Produces
    @Singleton
    LearningControl learningControl(SlotControls controls, MeterRegistry registry) {
        return new LearningControl(controls, registry);
    }
}
