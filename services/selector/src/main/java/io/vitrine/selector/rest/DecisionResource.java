package io.vitrine.selector.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.common.annotation.Blocking;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import io.vitrine.core.policy.Explanation;
import io.vitrine.selector.config.SelectorConfig;
import io.vitrine.selector.decision.DecisionEngine;
import io.vitrine.selector.decision.DecisionInput;
import io.vitrine.selector.decision.DecisionLog;
import io.vitrine.selector.decision.InvalidRequestException;
import io.vitrine.selector.metrics.SelectorMetrics;
import io.vitrine.selector.streams.RequestOwners;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/** {@code POST /v1/decisions}: which of these candidates for this context? The contract is META-INF/openapi.yaml. */
@Path(DecisionResource.PATH)
public class DecisionResource {

    static final String PATH = "/v1/decisions";
    private static final Logger LOG = Logger.getLogger(DecisionResource.class);

    static final Set<String> REQUEST_FIELDS = Set.of("requestId", "slot", "context", "candidates", "k", "explain",
            "incumbent");
    static final Set<String> CANDIDATE_FIELDS = Set.of("id", "features");
    static final Set<String> INCUMBENT_FIELDS = Set.of("candidateId", "propensity");
    private static final String INVALID_FEATURES = "invalid-features";

    /** A request as read from its JSON body; {@code input} still has to pass the engine's validation. */
    record DecisionRequest(DecisionInput input, boolean explain) {
    }

    /**
     * The answer: chosen candidates, best first, with how they were chosen; every candidate if explained. The
     * seed is a 64-bit integer written as a decimal string, which every JSON client can hold exactly.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DecisionResponse(String requestId, String slot, String scope, String encoderVersion,
                                   long posteriorVersion, String seed, List<ChosenBody> chosen,
                                   ApprenticeBody apprentice, List<ExplainedBody> explanation) {
    }

    /**
     * In a slot in apprentice mode: {@code chosen} is the caller's own choice, served; this is what Vitrine would
     * have chosen, and the caller's propensity of its choice (null when it sent none).
     */
    public record ApprenticeBody(List<ChosenBody> wouldChoose, Double incumbentPropensity) {
    }

    public record ChosenBody(String candidateId, int rank, double score, double meanScore, double propensity) {
    }

    /** One candidate of an explained decision, in request order. */
    public record ExplainedBody(String candidateId, double meanScore, double sampledScore, double propensity) {
    }

    private final DecisionEngine engine;
    private final DecisionLog log;
    private final Duration logTimeout;
    private final boolean answerBeforeLog;
    private final SelectorMetrics metrics;
    private final RetryWindow<DecisionResponse> retries;
    private final RequestOwners owners;
    private final OwnerForwarding forwarding;
    private final String servedBy;

    public DecisionResource(DecisionEngine engine, DecisionLog log, SelectorConfig config, SelectorMetrics metrics,
                            RetryWindow<DecisionResponse> retries, RequestOwners owners, OwnerForwarding forwarding) {
        this.engine = engine;
        this.log = log;
        this.logTimeout = config.selector().logTimeout();
        this.answerBeforeLog = config.selector().decisionAnswer() == SelectorConfig.DecisionAnswer.BEFORE_LOG;
        this.metrics = metrics;
        this.retries = retries;
        this.owners = owners;
        this.forwarding = forwarding;
        this.servedBy = owners.self().map(self -> self.host() + ":" + self.port()).orElse(null);
    }

    /**
     * Runs on a worker thread: the encoder and sampler are pure computation, but handing the record
     * to the producer may wait for metadata or buffer space, which must never stall the event loop.
     *
     * <p>A request id is decided by its owner (see {@link RequestOwners}), so that retries landing on different
     * instances meet in one retry window: one decision, one log record. Another instance forwards the request there
     * and relays the answer, unless its own window already holds the id. When no owner is known or the owner cannot be
     * reached, this instance decides (docs/api.md, Retries, says what that costs); when the owner took the request but
     * did not answer within the forward timeout, the answer is a {@code 503}: the owner may still decide, and deciding
     * here too would log the id twice and add a second wait to the client's.
     */
    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> decide(byte[] body, @Context HttpHeaders headers) {
        DecisionRequest request;
        try {
            request = read(JsonFields.parse(body));
        } catch (InvalidRequestException e) {
            metrics.rejected(SelectorMetrics.HTTP, e.reason());
            throw e;
        }
        String requestId = request.input().requestId();
        if (requestId == null) {
            return decideAndLog(request).thenApply(this::answered);
        }
        String fingerprint = fingerprint(request);
        if (OwnerForwarding.forwarded(headers)) {
            return once(requestId, fingerprint, request);
        }
        Optional<RetryWindow.Answer<DecisionResponse>> earlier = remembered(requestId, fingerprint);
        if (earlier.isPresent()) {
            metrics.replayed();
            return earlier.get().answer().thenApply(this::answered);
        }
        RequestOwners.Owner owner = owners.of(requestId);
        if (owner instanceof RequestOwners.Unknown unknown) {
            metrics.forwarded(SelectorMetrics.NO_OWNER);
            LOG.debugf("request id %s decided here, no owner known: %s", requestId, unknown.why());
        }
        if (!(owner instanceof RequestOwners.There there)) {
            return once(requestId, fingerprint, request);
        }
        return forwarding.forward(there.host(), PATH, body, headers.getRequestHeaders()).thenCompose(outcome -> {
            if (outcome instanceof OwnerForwarding.Answered answered) {
                metrics.forwarded(SelectorMetrics.FORWARD_ANSWERED);
                return CompletableFuture.completedFuture(answered.answer());
            }
            if (outcome instanceof OwnerForwarding.TimedOut timedOut) {
                metrics.forwarded(SelectorMetrics.FORWARD_TIMED_OUT);
                throw new OwnerTimeoutException(requestId, there.host(), timedOut.after());
            }
            metrics.forwarded(SelectorMetrics.FORWARD_FAILED);
            return once(requestId, fingerprint, request);
        });
    }

    /** Decides {@code request} here, unless this instance's retry window already answered its id. */
    private CompletionStage<Response> once(String requestId, String fingerprint, DecisionRequest request) {
        RetryWindow.Answer<DecisionResponse> answer;
        try {
            answer = retries.once(requestId, fingerprint, () -> decideAndLog(request));
        } catch (RequestIdConflictException e) {
            metrics.rejected(SelectorMetrics.HTTP, SelectorMetrics.REQUEST_ID_CONFLICT);
            throw e;
        }
        if (answer.replayed()) {
            metrics.replayed();
        }
        return answer.answer().thenApply(this::answered);
    }

    private Optional<RetryWindow.Answer<DecisionResponse>> remembered(String requestId, String fingerprint) {
        try {
            return retries.remembered(requestId, fingerprint);
        } catch (RequestIdConflictException e) {
            metrics.rejected(SelectorMetrics.HTTP, SelectorMetrics.REQUEST_ID_CONFLICT);
            throw e;
        }
    }

    private Response answered(DecisionResponse decision) {
        Response.ResponseBuilder answer = Response.ok(decision, MediaType.APPLICATION_JSON_TYPE);
        if (servedBy != null) {
            answer.header(OwnerForwarding.SERVED_BY_HEADER, servedBy);
        }
        return answer.build();
    }

    private CompletionStage<DecisionResponse> decideAndLog(DecisionRequest request) {
        long start = System.nanoTime();
        DecisionEngine.Outcome outcome;
        try {
            outcome = engine.decide(request.input(), false, request.explain());
        } catch (InvalidRequestException e) {
            metrics.rejected(SelectorMetrics.HTTP, e.reason());
            throw e;
        }
        metrics.decided(SelectorMetrics.HTTP, System.nanoTime() - start);
        Decision decision = outcome.decision();
        long logStart = System.nanoTime();
        // The log timeout bounds the whole write: append returns at once (the log's own thread sends, and gives up a
        // decision that waited longer than the timeout), and the acknowledgement gets what is left.
        CompletableFuture<?> acked = log.append(decision).toCompletableFuture();
        long remaining = Math.max(1, logTimeout.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - logStart));
        CompletableFuture<?> written = acked
                .orTimeout(remaining, TimeUnit.MILLISECONDS)
                .whenComplete((metadata, error) -> {
                    metrics.logWrite(System.nanoTime() - logStart, error == null);
                    if (error != null && answerBeforeLog) {
                        // Served whatever the write's outcome: the failure is counted (outcome "failed") and named
                        // in the log only.
                        LOG.debugf("decision %s served but not logged: %s", decision.getRequestId(),
                                KafkaFailures.cause(error, logTimeout));
                    }
                });
        if (answerBeforeLog) {
            return CompletableFuture.completedFuture(toResponse(decision, outcome.explanation()));
        }
        return written.handle((metadata, error) -> {
            if (error != null) {
                throw new DecisionNotLoggedException(KafkaFailures.cause(error, logTimeout));
            }
            return toResponse(decision, outcome.explanation());
        });
    }

    /** Reads the body by the rules of {@link JsonFields}: every problem of types and shape at once. */
    static DecisionRequest read(JsonNode root) {
        JsonFields in = new JsonFields();
        ObjectNode body = in.object(root, JsonFields.BODY, REQUEST_FIELDS);
        if (body == null) {
            in.throwIfInvalid();
        }
        String requestId = in.text(body, "", "requestId", false);
        String slot = in.text(body, "", "slot", true);
        float[] context = in.floats(body, "", "context", true, INVALID_FEATURES);
        List<DecisionInput.CandidateInput> candidates = null;
        ArrayNode candidateNodes = in.array(body, "", "candidates", true);
        if (candidateNodes != null) {
            candidates = new ArrayList<>(candidateNodes.size());
            for (int i = 0; i < candidateNodes.size(); i++) {
                String field = "candidates[" + i + "]";
                ObjectNode candidate = in.object(candidateNodes.get(i), field, CANDIDATE_FIELDS);
                if (candidate != null) {
                    candidates.add(new DecisionInput.CandidateInput(in.text(candidate, field, "id", true),
                            in.floats(candidate, field, "features", true, INVALID_FEATURES)));
                }
            }
        }
        Integer k = in.integer(body, "", "k", false);
        Boolean explain = in.bool(body, "", "explain", false);
        DecisionInput.Incumbent incumbent = null;
        if (body.has("incumbent") && !body.get("incumbent").isNull()) {
            ObjectNode node = in.object(body.get("incumbent"), "incumbent", INCUMBENT_FIELDS);
            if (node != null) {
                incumbent = new DecisionInput.Incumbent(in.text(node, "incumbent", "candidateId", true),
                        in.number(node, "incumbent", "propensity", false));
            }
        }
        in.throwIfInvalid();
        return new DecisionRequest(new DecisionInput(requestId, slot, context, candidates, k, null, incumbent),
                Boolean.TRUE.equals(explain));
    }

    /** SHA-256 of what the request asks, so that a retry matches however its JSON was spaced or ordered. */
    static String fingerprint(DecisionRequest request) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        DecisionInput input = request.input();
        text(digest, input.slot());
        floats(digest, input.context());
        digest.update(ByteBuffer.allocate(9).putInt(input.candidates().size()).putInt(input.k() == null ? 1 : input.k())
                .put((byte) (request.explain() ? 1 : 0)).array());
        for (DecisionInput.CandidateInput candidate : input.candidates()) {
            text(digest, candidate.id());
            floats(digest, candidate.features());
        }
        if (input.incumbent() != null) {
            text(digest, input.incumbent().candidateId());
            Double propensity = input.incumbent().propensity();
            digest.update(ByteBuffer.allocate(8).putDouble(propensity == null ? Double.NaN : propensity).array());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void text(MessageDigest digest, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
    }

    private static void floats(MessageDigest digest, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * values.length).putInt(values.length);
        for (float value : values) {
            buffer.putFloat(value);
        }
        digest.update(buffer.array());
    }

    private static DecisionResponse toResponse(Decision decision, Explanation explanation) {
        List<ChosenBody> chosen = bodies(decision.getChosen());
        ApprenticeBody apprentice = decision.getApprentice() == null ? null : new ApprenticeBody(
                bodies(decision.getApprentice().getWouldChoose()), decision.getApprentice().getIncumbentPropensity());
        List<ExplainedBody> explained = null;
        if (explanation != null) {
            explained = new ArrayList<>(decision.getCandidates().size());
            for (int a = 0; a < decision.getCandidates().size(); a++) {
                explained.add(new ExplainedBody(decision.getCandidates().get(a).getId(),
                        explanation.meanScores()[a], explanation.sampledScores()[a], explanation.propensities()[a]));
            }
        }
        return new DecisionResponse(decision.getRequestId(), decision.getSlot(), decision.getScope(),
                decision.getEncoderVersion(), decision.getPosteriorVersion(), Long.toString(decision.getSeed()),
                chosen, apprentice, explained);
    }

    private static List<ChosenBody> bodies(List<ChosenCandidate> candidates) {
        List<ChosenBody> bodies = new ArrayList<>(candidates.size());
        for (ChosenCandidate c : candidates) {
            bodies.add(new ChosenBody(c.getCandidateId(), c.getRank(), c.getSampledScore(), c.getMeanScore(),
                    c.getPropensity()));
        }
        return bodies;
    }
}
