package io.vitrine.selector.decision;

import io.vitrine.avro.ApprenticeChoice;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import io.vitrine.avro.SlotMode;
import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.policy.Choice;
import io.vitrine.core.policy.Explanation;
import io.vitrine.core.policy.PerCandidateThompsonSampler;
import io.vitrine.core.policy.ThompsonSampler;
import io.vitrine.core.policy.UniformExploration;
import io.vitrine.schemas.AvroArrays;
import io.vitrine.service.control.SlotControls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One decision: validate, encode (context, candidate) pairs to z with the ONNX encoder, sample the
 * scope's posterior, keep the best sampled scores, and describe it all as a loggable
 * {@link Decision}. Thread-safe; shared by the HTTP and topic paths.
 */
public final class DecisionEngine {

    /** The reason of a request to a slot in apprentice mode that does not carry the caller's own choice. */
    public static final String MISSING_INCUMBENT = "missing-incumbent";

    private final ServingEncoders encoders;
    private final PosteriorView posteriors;
    private final NigPrior prior;
    private final int maxCandidates;
    private final int maxK;
    private final java.util.Optional<Set<String>> knownSlots;
    private final java.util.Map<String, PerVersion> perVersion = new java.util.concurrent.ConcurrentHashMap<>();
    private final ThompsonSampler sampler;
    private final PerCandidateThompsonSampler perCandidateSampler;
    private final Set<String> perCandidateSlots;
    private final SlotControls controls;
    private final int propensitySamples;
    /** Samplers of the exploration shares operators set on slots, made once per share. */
    private final java.util.Map<Double, ThompsonSampler> samplers = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<Double, PerCandidateThompsonSampler> perCandidateSamplers =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param perCandidateSlots slots whose candidates each have their own posterior over z (the paper's form);
     *                          every other slot shares one posterior over z(context, candidate)
     * @param controls          what operators set on each slot: its exploration share (else {@code exploration}'s)
     *                          and its last reset (posteriors updated before it are not used)
     */
    public DecisionEngine(ServingEncoders encoders, PosteriorView posteriors, NigPrior prior, int propensitySamples,
                          UniformExploration exploration, int maxCandidates, int maxK, Set<String> perCandidateSlots,
                          java.util.Optional<Set<String>> knownSlots, SlotControls controls) {
        this.controls = controls;
        this.propensitySamples = propensitySamples;
        this.encoders = encoders;
        this.posteriors = posteriors;
        this.prior = prior;
        this.maxCandidates = maxCandidates;
        this.maxK = maxK;
        this.knownSlots = knownSlots;
        this.sampler = new ThompsonSampler(propensitySamples, exploration);
        this.perCandidateSampler = new PerCandidateThompsonSampler(propensitySamples, exploration);
        this.perCandidateSlots = Set.copyOf(perCandidateSlots);
    }

    /** The sampler of a slot's exploration share; the configured one when operators set none. */
    private ThompsonSampler sampler(java.util.Optional<Double> share) {
        return share.isEmpty() ? sampler : samplers.computeIfAbsent(share.get(),
                s -> new ThompsonSampler(propensitySamples, new UniformExploration(s)));
    }

    private PerCandidateThompsonSampler perCandidateSampler(java.util.Optional<Double> share) {
        return share.isEmpty() ? perCandidateSampler : perCandidateSamplers.computeIfAbsent(share.get(),
                s -> new PerCandidateThompsonSampler(propensitySamples, new UniformExploration(s)));
    }

    /** What depends on the encoder's layout, made once per version. */
    private record PerVersion(RequestValidator validator, NormalInverseGammaPosterior prior) {
    }

    private PerVersion perVersion(EncoderInfo info) {
        return perVersion.computeIfAbsent(info.version(), v -> new PerVersion(
                new RequestValidator(info, maxCandidates, maxK, knownSlots),
                NormalInverseGammaPosterior.prior(info.dimension(), prior)));
    }

    /** The encoder serving now (it may change with the next decision). */
    public EncoderInfo encoderInfo() {
        return encoders.current().info();
    }

    /**
     * The seed of a request's draws: the first 8 bytes of SHA-256 of its id. A retry of the same request, on this
     * instance or another, draws the same numbers, so with the same posterior it gets the same decision.
     */
    public static long seedOf(String requestId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(requestId.getBytes(StandardCharsets.UTF_8));
            long seed = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                seed = (seed << 8) | (hash[i] & 0xff);
            }
            return seed;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * Features can be finite and yet overflow the encoder (3.4e38 times a weight): such a request is refused,
     * naming the candidate, rather than failing in the sampler.
     */
    private static void checkFinite(float[][] z) {
        List<InvalidRequestException.Violation> violations = new ArrayList<>();
        for (int a = 0; a < z.length; a++) {
            for (float value : z[a]) {
                if (!Float.isFinite(value)) {
                    violations.add(new InvalidRequestException.Violation("candidates[" + a + "].features",
                            "overflows the encoder (its embedding is not finite); scale the context and candidate"
                                    + " features down", "invalid-features"));
                    break;
                }
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
    }

    /** A decision, with every candidate explained when that was asked for (else null). */
    public record Outcome(Decision decision, Explanation explanation) {
    }

    /**
     * Decides, or throws {@link InvalidRequestException} naming every problem of the request.
     *
     * @param requestIdRequired true on the topic path, where the request id is the record key
     */
    public Decision decide(DecisionInput input, boolean requestIdRequired) {
        return decide(input, requestIdRequired, false).decision();
    }

    /**
     * Decides like {@link #decide(DecisionInput, boolean)}; with {@code explain}, also scores every candidate
     * (posterior-mean score, sampled score, propensity), at the cost of tracking all of them in the
     * propensity draws.
     */
    public Outcome decide(DecisionInput input, boolean requestIdRequired, boolean explain) {
        // One encoder for the whole decision, read once: a swap never mixes two versions in one decision.
        ServingEncoders.Serving serving = encoders.current();
        EncoderInfo info = serving.info();
        PerVersion perVersion = perVersion(info);
        perVersion.validator().validate(input, requestIdRequired);
        NormalInverseGammaPosterior priorPosterior = perVersion.prior();
        int candidateCount = input.candidates().size();
        int k = input.k() == null ? 1 : input.k();
        float[][] candidateFeatures = new float[candidateCount][];
        for (int i = 0; i < candidateCount; i++) {
            candidateFeatures[i] = input.candidates().get(i).features();
        }
        float[][] z = serving.encoder().encode(input.context(), candidateFeatures);
        checkFinite(z);

        // Posteriors are tied to the encoder version that made z.
        String scope = input.slot() + "@" + info.version();
        String requestId = input.requestId() == null || input.requestId().isBlank()
                ? UUID.randomUUID().toString() : input.requestId();
        long seed = seedOf(requestId);
        boolean perCandidate = perCandidateSlots.contains(input.slot());
        java.util.Optional<Double> share = controls.exploration(input.slot());
        java.util.Optional<Instant> resetAt = controls.resetAt(input.slot());
        boolean apprentice = controls.get(input.slot()).map(c -> c.getMode() == SlotMode.APPRENTICE).orElse(false);
        int served = apprentice ? servedIndex(input, k) : -1;
        String[] candidateScopes = null;
        Explanation explanation = null;
        Choice choice;
        long posteriorVersion;
        // Vitrine's score of the served candidate in apprentice mode: {posterior-mean score, the decision's draw}.
        double[] servedScores = null;
        if (perCandidate) {
            if (explain) {
                throw new InvalidRequestException(List.of(new InvalidRequestException.Violation("explain",
                        "is not available for slots with per-candidate posteriors")));
            }
            candidateScopes = new String[candidateCount];
            NormalInverseGammaPosterior[] perCandidatePosteriors = new NormalInverseGammaPosterior[candidateCount];
            posteriorVersion = 0;
            for (int a = 0; a < candidateCount; a++) {
                candidateScopes[a] = input.slot() + "#" + input.candidates().get(a).id() + "@" + info.version();
                perCandidatePosteriors[a] = posteriors.get(candidateScopes[a], resetAt).orElse(priorPosterior);
                posteriorVersion += perCandidatePosteriors[a].version();
            }
            PerCandidateThompsonSampler slotSampler = perCandidateSampler(share);
            choice = slotSampler.choose(perCandidatePosteriors, z, k, seed);
            if (apprentice) {
                // Every candidate ranked by the decision's own draw (the draw does not depend on k): the served one's.
                Choice all = slotSampler.choose(perCandidatePosteriors, z, candidateCount, seed);
                for (int j = 0; j < candidateCount; j++) {
                    if (all.chosen()[j] == served) {
                        servedScores = new double[] {all.meanScores()[j], all.sampledScores()[j]};
                    }
                }
            }
        } else {
            NormalInverseGammaPosterior posterior = posteriors.get(scope, resetAt).orElse(priorPosterior);
            ThompsonSampler slotSampler = sampler(share);
            posteriorVersion = posterior.version();
            explanation = explain || apprentice ? slotSampler.explain(posterior, z, k, seed) : null;
            choice = explanation != null ? explanation.choice() : slotSampler.choose(posterior, z, k, seed);
            if (apprentice) {
                servedScores = new double[] {explanation.meanScores()[served], explanation.sampledScores()[served]};
            }
            if (!explain) {
                explanation = null;
            }
        }

        List<ChosenCandidate> own = chosen(input, choice, z, perCandidate ? candidateScopes : null);
        List<ChosenCandidate> chosen = own;
        ApprenticeChoice apprenticeChoice = null;
        if (apprentice) {
            // The caller's choice is served and logged as the decision's chosen candidate, so that the learner joins
            // its impression and click and learns from its reward; Vitrine's own choice is logged beside it.
            Double incumbentPropensity = input.incumbent().propensity();
            chosen = List.of(ChosenCandidate.newBuilder()
                    .setCandidateId(input.candidates().get(served).id())
                    .setRank(0)
                    .setSampledScore(servedScores[1])
                    .setMeanScore(servedScores[0])
                    // A deterministic incumbent chose with probability 1; docs/evaluation.md says what that allows.
                    .setPropensity(incumbentPropensity == null ? 1.0 : incumbentPropensity)
                    .setEmbedding(AvroArrays.floatList(z[served]))
                    .setScope(perCandidate ? candidateScopes[served] : null)
                    .build());
            apprenticeChoice = new ApprenticeChoice(own, incumbentPropensity);
        }
        List<Candidate> candidates = new ArrayList<>(candidateCount);
        for (DecisionInput.CandidateInput candidate : input.candidates()) {
            candidates.add(new Candidate(candidate.id(), AvroArrays.floatList(candidate.features())));
        }
        return new Outcome(Decision.newBuilder()
                .setRequestId(requestId)
                .setSlot(input.slot())
                .setScope(scope)
                .setTimestamp(input.timestamp() == null ? Instant.now() : input.timestamp())
                .setContext(AvroArrays.floatList(input.context()))
                .setCandidates(candidates)
                .setK(k)
                .setChosen(chosen)
                .setSeed(seed)
                .setEncoderVersion(info.version())
                .setPosteriorVersion(posteriorVersion)
                .setPropensitySamples(choice.propensitySamples())
                .setApprentice(apprenticeChoice)
                .build(), explanation);
    }

    /** The chosen candidates of a choice, best first, as the decision logs them. */
    private static List<ChosenCandidate> chosen(DecisionInput input, Choice choice, float[][] z,
                                                String[] candidateScopes) {
        List<ChosenCandidate> chosen = new ArrayList<>(choice.chosen().length);
        for (int rank = 0; rank < choice.chosen().length; rank++) {
            int index = choice.chosen()[rank];
            chosen.add(ChosenCandidate.newBuilder()
                    .setCandidateId(input.candidates().get(index).id())
                    .setRank(rank)
                    .setSampledScore(choice.sampledScores()[rank])
                    .setMeanScore(choice.meanScores()[rank])
                    .setPropensity(choice.propensities()[rank])
                    .setEmbedding(AvroArrays.floatList(z[index]))
                    .setScope(candidateScopes == null ? null : candidateScopes[index])
                    .build());
        }
        return chosen;
    }

    /**
     * The index of the caller's own choice, which a slot in apprentice mode serves; a request without one is refused,
     * naming the field, as is a slate (the incumbent names one candidate).
     */
    private static int servedIndex(DecisionInput input, int k) {
        List<InvalidRequestException.Violation> violations = new ArrayList<>();
        if (input.incumbent() == null) {
            violations.add(new InvalidRequestException.Violation("incumbent", "is required: slot '" + input.slot()
                    + "' is in apprentice mode, which serves the caller's own choice (incumbent.candidateId, and"
                    + " incumbent.propensity when the current system has one)", MISSING_INCUMBENT));
        }
        if (k != 1) {
            violations.add(new InvalidRequestException.Violation("k", "must be 1 in slot '" + input.slot()
                    + "', which is in apprentice mode (the caller's own choice is one candidate), got " + k));
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        for (int a = 0; a < input.candidates().size(); a++) {
            if (input.candidates().get(a).id().equals(input.incumbent().candidateId())) {
                return a;
            }
        }
        throw new IllegalStateException("validated: the incumbent is one of the candidates");
    }
}
