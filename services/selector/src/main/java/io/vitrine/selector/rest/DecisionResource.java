package io.vitrine.selector.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import io.vitrine.core.policy.Explanation;
import io.vitrine.selector.config.SelectorConfig;
import io.vitrine.selector.decision.DecisionEngine;
import io.vitrine.selector.decision.DecisionInput;
import io.vitrine.selector.decision.DecisionLog;
import io.vitrine.selector.decision.InvalidRequestException;
import io.vitrine.selector.metrics.SelectorMetrics;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** {@code POST /v1/decisions}: which of these candidates for this context? */
@Path("/v1/decisions")
public class DecisionResource {

    /** The request body. Features are numbers in the encoder's layout ({@code GET /v1/encoder}). */
    public record DecisionRequestBody(String requestId, String slot, float[] context, List<CandidateBody> candidates,
                                      Integer k, Boolean explain) {
    }

    public record CandidateBody(String id, float[] features) {
    }

    /** The answer: chosen candidates, best first, with how they were chosen; every candidate if explained. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DecisionResponse(String requestId, String slot, String scope, String encoderVersion,
                                   long posteriorVersion, long seed, List<ChosenBody> chosen,
                                   List<ExplainedBody> explanation) {
    }

    public record ChosenBody(String candidateId, int rank, double score, double meanScore, double propensity) {
    }

    /** One candidate of an explained decision, in request order. */
    public record ExplainedBody(String candidateId, double meanScore, double sampledScore, double propensity) {
    }

    private final DecisionEngine engine;
    private final DecisionLog log;
    private final Duration logTimeout;
    private final SelectorMetrics metrics;

    public DecisionResource(DecisionEngine engine, DecisionLog log, SelectorConfig config, SelectorMetrics metrics) {
        this.engine = engine;
        this.log = log;
        this.logTimeout = config.selector().logTimeout();
        this.metrics = metrics;
    }

    /**
     * Runs on a worker thread: the encoder and sampler are pure computation, but handing the record
     * to the producer may wait for metadata or buffer space, which must never stall the event loop.
     */
    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<DecisionResponse> decide(DecisionRequestBody body) {
        if (body == null) {
            throw new InvalidRequestException(List.of(
                    new InvalidRequestException.Violation("body", "a JSON decision request is required")));
        }
        long start = System.nanoTime();
        DecisionEngine.Outcome outcome;
        try {
            outcome = engine.decide(toInput(body), false, Boolean.TRUE.equals(body.explain()));
        } catch (InvalidRequestException e) {
            metrics.rejected(SelectorMetrics.HTTP, "invalid-request");
            throw e;
        }
        metrics.decided(SelectorMetrics.HTTP, System.nanoTime() - start);
        Decision decision = outcome.decision();
        return log.append(decision)
                .toCompletableFuture()
                .orTimeout(logTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((metadata, error) -> {
                    if (error != null) {
                        throw new DecisionNotLoggedException(error);
                    }
                    return toResponse(decision, outcome.explanation());
                });
    }

    private static DecisionInput toInput(DecisionRequestBody body) {
        List<DecisionInput.CandidateInput> candidates = null;
        if (body.candidates() != null) {
            candidates = new ArrayList<>(body.candidates().size());
            for (CandidateBody candidate : body.candidates()) {
                candidates.add(candidate == null ? null : new DecisionInput.CandidateInput(candidate.id(),
                        candidate.features()));
            }
        }
        return new DecisionInput(body.requestId(), body.slot(), body.context(), candidates, body.k(), null);
    }

    private static DecisionResponse toResponse(Decision decision, Explanation explanation) {
        List<ChosenBody> chosen = new ArrayList<>(decision.getChosen().size());
        for (ChosenCandidate c : decision.getChosen()) {
            chosen.add(new ChosenBody(c.getCandidateId(), c.getRank(), c.getSampledScore(), c.getMeanScore(),
                    c.getPropensity()));
        }
        List<ExplainedBody> explained = null;
        if (explanation != null) {
            explained = new ArrayList<>(decision.getCandidates().size());
            for (int a = 0; a < decision.getCandidates().size(); a++) {
                explained.add(new ExplainedBody(decision.getCandidates().get(a).getId(),
                        explanation.meanScores()[a], explanation.sampledScores()[a], explanation.propensities()[a]));
            }
        }
        return new DecisionResponse(decision.getRequestId(), decision.getSlot(), decision.getScope(),
                decision.getEncoderVersion(), decision.getPosteriorVersion(), decision.getSeed(), chosen, explained);
    }
}
