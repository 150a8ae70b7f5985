package io.vitrine.learner.console;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vitrine.learner.config.LearnerConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * The console's data: one snapshot on request, or a snapshot every update interval as server-sent events. Read-only
 * and unauthenticated, like {@code /v1/posteriors}; the page itself is {@code /console/}.
 */
@Path("/v1/console")
public class ConsoleResource {

    private final ConsoleView view;
    private final Duration interval;

    public ConsoleResource(ConsoleView view, LearnerConfig config) {
        this.view = view;
        this.interval = config.console().interval();
    }

    @GET
    @Path("/snapshot")
    @Produces(MediaType.APPLICATION_JSON)
    public ConsoleView.Snapshot snapshot() {
        return view.snapshot();
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<ConsoleView.Snapshot> events() {
        // The first snapshot at once, then one per interval; built on a worker thread (it reads the state stores).
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(interval)
                .onOverflow().drop()
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tick -> view.snapshot());
    }
}
