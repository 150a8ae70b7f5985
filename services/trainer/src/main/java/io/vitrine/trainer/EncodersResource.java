package io.vitrine.trainer;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The encoder versions and which one serves; the operator's actions on them. Each action is written to the
 * {@code encoder-serving} topic, with who did it and why, before it answers; the selectors follow within a second.
 */
@Path("/v1/encoders")
@Produces({MediaType.APPLICATION_JSON, "application/problem+json"})
public class EncodersResource {

    /** Who acts and why, both optional; recorded on the serving change. */
    public record Action(String actor, String note, String version) {
    }

    private final ServingController controller;

    public EncodersResource(ServingController controller) {
        this.controller = controller;
    }

    @GET
    public ServingController.View versions() {
        return controller.view();
    }

    /** Serves a version now, whatever its gate verdict; it must be ready. */
    @POST
    @Path("/{version}/promote")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response promote(@PathParam("version") String version, Action action) {
        return act(() -> controller.force(version, actor(action), note(action)));
    }

    /** The gate never promotes this version. */
    @POST
    @Path("/{version}/refuse")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response refuse(@PathParam("version") String version, Action action) {
        return act(() -> controller.refuse(version, actor(action), note(action)));
    }

    /** Holds the serving version (or serves and holds {@code version} of the body): the gate promotes nothing. */
    @POST
    @Path("/pin")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response pin(Action action) {
        return act(() -> controller.pin(action == null ? null : action.version(), actor(action), note(action)));
    }

    @DELETE
    @Path("/pin")
    public Response unpin() {
        return act(() -> controller.unpin("operator", null));
    }

    /** Serves the previous version again and refuses the one it replaces. */
    @POST
    @Path("/rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response rollback(Action action) {
        return act(() -> controller.rollback(actor(action), note(action)));
    }

    private static String actor(Action action) {
        return action == null || action.actor() == null || action.actor().isBlank() ? "operator" : action.actor();
    }

    private static String note(Action action) {
        return action == null ? null : action.note();
    }

    private Response act(Supplier<ServingController.View> action) {
        if (controller.fenced()) {
            return problem(Response.Status.SERVICE_UNAVAILABLE, "Not recorded",
                    "a newer trainer took over this one's transactional id: act on that trainer");
        }
        try {
            return Response.ok(action.get()).type(MediaType.APPLICATION_JSON).build();
        } catch (ServingController.Refusal e) {
            return problem(Response.Status.CONFLICT, "Cannot do that now", e.getMessage());
        } catch (IllegalStateException e) {
            return problem(Response.Status.SERVICE_UNAVAILABLE, "Not recorded", e.getMessage());
        }
    }

    private static Response problem(Response.Status status, String title, String detail) {
        return Response.status(status).type("application/problem+json")
                .entity(Map.of("type", "about:blank", "title", title, "status", status.getStatusCode(),
                        "detail", detail))
                .build();
    }
}
