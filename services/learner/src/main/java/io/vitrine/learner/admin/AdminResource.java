package io.vitrine.learner.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import io.vitrine.avro.AdminAction;
import io.vitrine.avro.AdminAudit;
import io.vitrine.avro.SlotControl;
import io.vitrine.avro.SlotMode;
import io.vitrine.service.control.SlotControls;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The admin API: per slot, pause and resume learning, set the exploration share, switch apprentice/online, reset.
 * Every action needs a bearer token with the role {@value #ADMIN}; reading the slots' state needs {@value #ADMIN} or
 * {@value #VIEWER}. Each action writes the slot's whole new state to the compacted {@code slot-control} topic, which
 * every learner and selector follows, and its audit event to {@code admin-audit}, in one transaction.
 */
@Path("/v1/admin/slots")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {

    public static final String ADMIN = "vitrine-admin";
    public static final String VIEWER = "vitrine-viewer";

    /** A slot's state as operators set it; defaults for a slot never set. */
    public record SlotState(String slot, boolean learning, Double exploration, String mode, Instant resetAt,
                            Instant changedAt, String changedBy) {

        static SlotState of(String slot, SlotControl control) {
            return control == null ? new SlotState(slot, true, null, SlotMode.ONLINE.name(), null, null, null)
                    : new SlotState(slot, control.getLearning(), control.getExploration(), control.getMode().name(),
                    control.getResetAt(), control.getChangedAt(), control.getActor());
        }
    }

    /** What an action answers: the slot's new state and the id of its audit event. */
    public record ActionResult(String auditId, String action, SlotState state) {
    }

    private final SlotControls controls;
    private final AdminLog log;
    private final SecurityIdentity identity;

    public AdminResource(SlotControls controls, AdminLog log, SecurityIdentity identity) {
        this.controls = controls;
        this.log = log;
        this.identity = identity;
    }

    @GET
    @RolesAllowed({ADMIN, VIEWER})
    public List<SlotState> list() {
        List<SlotState> states = new ArrayList<>();
        controls.all().forEach((slot, control) -> states.add(SlotState.of(slot, control)));
        return states;
    }

    @GET
    @Path("/{slot: .+}")
    @RolesAllowed({ADMIN, VIEWER})
    public SlotState get(@PathParam("slot") String slot) {
        return SlotState.of(slot, controls.get(slot).orElse(null));
    }

    @POST
    @Path("/{slot: .+}/pause")
    @RolesAllowed(ADMIN)
    @Blocking
    public ActionResult pause(@PathParam("slot") String slot, @Context HttpServerRequest request) {
        return act(slot, AdminAction.PAUSE_LEARNING, Map.of(), b -> b.setLearning(false), request);
    }

    @POST
    @Path("/{slot: .+}/resume")
    @RolesAllowed(ADMIN)
    @Blocking
    public ActionResult resume(@PathParam("slot") String slot, @Context HttpServerRequest request) {
        return act(slot, AdminAction.RESUME_LEARNING, Map.of(), b -> b.setLearning(true), request);
    }

    /** Body {@code {"share": 0.1}}, a share in [0, 1), or {@code {"share": null}} for the selectors' configured one. */
    @PUT
    @Path("/{slot: .+}/exploration")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(ADMIN)
    @Blocking
    public ActionResult exploration(@PathParam("slot") String slot, JsonNode body,
                                    @Context HttpServerRequest request) {
        if (body == null || !body.isObject() || !body.has("share")
                || !(body.get("share").isNull() || body.get("share").isNumber())) {
            throw new BadRequestException("body: expected {\"share\": <number in [0, 1)>} or {\"share\": null}");
        }
        Double share = body.get("share").isNull() ? null : body.get("share").doubleValue();
        if (share != null && !(share >= 0 && share < 1)) {
            throw new BadRequestException("share: " + body.get("share") + " is not in [0, 1)");
        }
        return act(slot, AdminAction.SET_EXPLORATION, Map.of("share", share == null ? "default" : share.toString()),
                b -> b.setExploration(share), request);
    }

    /** Body {@code {"mode": "APPRENTICE"}} or {@code {"mode": "ONLINE"}}. */
    @PUT
    @Path("/{slot: .+}/mode")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(ADMIN)
    @Blocking
    public ActionResult mode(@PathParam("slot") String slot, JsonNode body, @Context HttpServerRequest request) {
        JsonNode mode = body == null ? null : body.get("mode");
        TreeSet<String> modes = new TreeSet<>();
        for (SlotMode m : SlotMode.values()) {
            modes.add(m.name());
        }
        if (mode == null || !mode.isTextual() || !modes.contains(mode.asText())) {
            throw new BadRequestException("mode: expected one of " + modes + ", got " + mode);
        }
        SlotMode next = SlotMode.valueOf(mode.asText());
        return act(slot, AdminAction.SET_MODE, Map.of("mode", next.name()), b -> b.setMode(next), request);
    }

    /** Forgets every reward of the slot stamped up to now: its posteriors start again from the prior. */
    @POST
    @Path("/{slot: .+}/reset")
    @RolesAllowed(ADMIN)
    @Blocking
    public ActionResult reset(@PathParam("slot") String slot, @Context HttpServerRequest request) {
        return act(slot, AdminAction.RESET, Map.of(), b -> b.setResetAt(b.getChangedAt()), request);
    }

    /**
     * A field-by-field copy: Avro's deep copy ({@code newBuilder(other)}) casts the enum, which fails where the record
     * was read by another class loader than the one running this class (Quarkus tests and dev mode).
     */
    private static SlotControl copy(SlotControl control) {
        return SlotControl.newBuilder().setSlot(control.getSlot()).setLearning(control.getLearning())
                .setExploration(control.getExploration()).setMode(SlotMode.valueOf(control.getMode().toString()))
                .setResetAt(control.getResetAt()).setChangedAt(control.getChangedAt()).setActor(control.getActor())
                .build();
    }

    private ActionResult act(String slot, AdminAction action, Map<String, String> parameters,
                             java.util.function.Consumer<SlotControl.Builder> change, HttpServerRequest request) {
        if (slot.isBlank()) {
            throw new BadRequestException("slot: must not be blank");
        }
        String actor = identity.getPrincipal().getName();
        // One action at a time per instance: each reads the state the previous one wrote.
        synchronized (this) {
            SlotControl before = controls.get(slot).map(AdminResource::copy).orElse(null);
            // Never earlier than the state it replaces, even if this instance's clock is behind the last writer's.
            Instant now = Instant.now();
            if (before != null && !now.isAfter(before.getChangedAt())) {
                now = before.getChangedAt().plusMillis(1);
            }
            SlotControl.Builder builder = before == null
                    ? SlotControl.newBuilder().setSlot(slot).setLearning(true).setExploration(null)
                    .setMode(SlotMode.ONLINE).setResetAt(null)
                    : SlotControl.newBuilder().setSlot(slot).setLearning(before.getLearning())
                    .setExploration(before.getExploration()).setMode(before.getMode())
                    .setResetAt(before.getResetAt());
            builder.setChangedAt(now).setActor(actor);
            change.accept(builder);
            SlotControl after = builder.build();
            AdminAudit audit = AdminAudit.newBuilder()
                    .setId(UUID.randomUUID().toString())
                    .setAt(now)
                    .setActor(actor)
                    .setRoles(List.copyOf(new TreeSet<>(identity.getRoles())))
                    .setAction(action)
                    .setSlot(slot)
                    .setParameters(Map.copyOf(parameters))
                    .setBefore(before)
                    .setAfter(after)
                    .setRemoteAddress(request == null || request.remoteAddress() == null ? null
                            : request.remoteAddress().hostAddress())
                    .build();
            log.write(after, audit);
            controls.applyOwn(after);
            return new ActionResult(audit.getId(), action.name(), SlotState.of(slot, after));
        }
    }
}
