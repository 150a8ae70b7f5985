package io.vitrine.trainer;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** The trainer's state, and a training on request. */
@Path("/v1/trainer")
public class TrainerResource {

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final Trainer trainer;

    public TrainerResource(Trainer trainer) {
        this.trainer = trainer;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Trainer.Status status() {
        return trainer.status();
    }

    /**
     * Trains now on the buffered rewards and answers with the published version; 409 when it cannot. With
     * {@code warm-start=false} the network starts from fresh weights (after a change of features, or to leave a
     * lineage behind).
     */
    @POST
    @Path("/train")
    @Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
    public Response train(@QueryParam("warm-start") @DefaultValue("true") boolean warmStart)
            throws InterruptedException {
        try {
            return Response.ok(trainer.trainNow(TIMEOUT, warmStart)).build();
        } catch (ExecutionException e) {
            return problem(Response.Status.CONFLICT, "Cannot train", e.getCause().getMessage());
        } catch (TimeoutException e) {
            return problem(Response.Status.SERVICE_UNAVAILABLE, "Training still running",
                    "no result within " + TIMEOUT + "; GET /v1/trainer shows it when done");
        } catch (Exception e) {
            return problem(Response.Status.INTERNAL_SERVER_ERROR, "Training failed", String.valueOf(e.getMessage()));
        }
    }

    private static Response problem(Response.Status status, String title, String detail) {
        return Response.status(status).type("application/problem+json")
                .entity(Map.of("type", "about:blank", "title", title, "status", status.getStatusCode(),
                        "detail", detail))
                .build();
    }
}
