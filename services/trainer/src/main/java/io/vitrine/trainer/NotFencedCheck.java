package io.vitrine.trainer;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready once a newer trainer fenced this one (same transactional id): it writes nothing more, and an operator
 * should stop it. Readiness rather than liveness on purpose: a restart would fence the newer trainer in turn.
 */
@Readiness
@ApplicationScoped
public class NotFencedCheck implements HealthCheck {

    private final EncoderPublisher publisher;
    private final ServingController controller;

    public NotFencedCheck(EncoderPublisher publisher, ServingController controller) {
        this.publisher = publisher;
        this.controller = controller;
    }

    @Override
    public HealthCheckResponse call() {
        boolean fenced = publisher.fenced() || controller.fenced();
        return HealthCheckResponse.named("trainer-not-fenced").status(!fenced)
                .withData("detail", fenced ? "a newer trainer with the same transactional id took over"
                        : "the only trainer writing versions and promotions")
                .build();
    }
}
