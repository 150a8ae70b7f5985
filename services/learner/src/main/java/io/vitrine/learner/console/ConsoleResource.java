package io.vitrine.learner.console;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import io.vitrine.learner.config.LearnerConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * The console's data: one snapshot on request, or a snapshot every update interval as server-sent events. Read-only
 * and unauthenticated, like {@code /v1/posteriors}; the page itself is {@code /console/}.
 */
@Path("/v1/console")
public class ConsoleResource {

    /** The longest a request waits for the console's feeds to read back what they missed while idle. */
    static final Duration CATCH_UP = Duration.ofSeconds(5);

    private final ConsoleView view;
    private final Duration interval;
    private final ConsoleAudience audience;
    private final List<TopicFeed<?>> feeds;

    public ConsoleResource(ConsoleView view, LearnerConfig config, ConsoleAudience audience,
                           TopicFeed<Reward> rewardFeed, TopicFeed<Decision> decisionFeed) {
        this.view = view;
        this.interval = config.console().interval();
        this.audience = audience;
        this.feeds = List.of(rewardFeed, decisionFeed);
    }

    @GET
    @Path("/snapshot")
    @Produces(MediaType.APPLICATION_JSON)
    public ConsoleView.Snapshot snapshot() throws InterruptedException {
        used();
        return view.snapshot();
    }

    /**
     * Marks the console used; if its feeds were idle, waits (at most {@link #CATCH_UP}) until they have read what
     * was committed before, so that the answer is as complete as if they had never stopped (within their history).
     */
    private void used() throws InterruptedException {
        boolean idle = feeds.stream().anyMatch(feed -> !feed.following());
        audience.used();
        if (idle) {
            long deadline = System.nanoTime() + CATCH_UP.toNanos();
            for (TopicFeed<?> feed : feeds) {
                feed.awaitCaughtUp(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
        }
    }

    /** RFC 9457 problem details, as the learner's other answers give them. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record Problem(String type, String title, int status, String detail) {
    }

    /** One decision by request id, with its reward once joined; a 404 problem when this instance holds none. */
    @GET
    @Path("/decisions/{requestId}")
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public Response decision(@PathParam("requestId") String requestId) throws InterruptedException {
        used();
        return view.decision(requestId)
                .map(found -> Response.ok(found, MediaType.APPLICATION_JSON_TYPE).build())
                .orElseGet(() -> Response.status(Response.Status.NOT_FOUND).type("application/problem+json")
                        .entity(new Problem("about:blank", "Unknown decision", 404, "No decision with request id '"
                                + requestId + "' is held here: neither in the attribution store (open windows)"
                                + " nor among the last decisions the console read.")).build());
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
                .map(tick -> {
                    audience.used();
                    return view.snapshot();
                });
    }
}
