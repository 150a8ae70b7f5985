package io.vitrine.selector.decision;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the posteriors published before start-up are loaded, so decisions do not fall back to the prior. */
@Readiness
@ApplicationScoped
public class PosteriorViewHealthCheck implements HealthCheck {

    private final PosteriorView view;

    public PosteriorViewHealthCheck(PosteriorView view) {
        this.view = view;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("posterior-view")
                .status(view.caughtUp())
                .withData("scopes", view.scopes())
                .build();
    }
}
