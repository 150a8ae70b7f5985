package io.vitrine.selector.decision;

import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.policy.Choice;
import io.vitrine.core.policy.Explanation;
import io.vitrine.core.policy.PerCandidateThompsonSampler;
import io.vitrine.core.policy.ThompsonSampler;
import io.vitrine.core.policy.UniformExploration;
import io.vitrine.schemas.AvroArrays;
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

    private final OnnxEncoder encoder;
    private final EncoderInfo info;
    private final PosteriorView posteriors;
    private final NormalInverseGammaPosterior priorPosterior;
    private final ThompsonSampler sampler;
    private final PerCandidateThompsonSampler perCandidateSampler;
    private final Set<String> perCandidateSlots;
    private final RequestValidator validator;

    /**
     * @param perCandidateSlots slots whose candidates each have their own posterior over z (the paper's form);
     *                          every other slot shares one posterior over z(context, candidate)
     */
    public DecisionEngine(OnnxEncoder encoder, PosteriorView posteriors, NigPrior prior, int propensitySamples,
                          UniformExploration exploration, int maxCandidates, int maxK, Set<String> perCandidateSlots,
                          java.util.Optional<Set<String>> knownSlots) {
        this.encoder = encoder;
        this.info = encoder.info();
        this.posteriors = posteriors;
        this.priorPosterior = NormalInverseGammaPosterior.prior(info.dimension(), prior);
        this.sampler = new ThompsonSampler(propensitySamples, exploration);
        this.perCandidateSampler = new PerCandidateThompsonSampler(propensitySamples, exploration);
        this.perCandidateSlots = Set.copyOf(perCandidateSlots);
        this.validator = new RequestValidator(info, maxCandidates, maxK, knownSlots);
    }

    public EncoderInfo encoderInfo() {
        return info;
    }

    /** The posterior scope of a slot: posteriors are tied to the encoder version that made z. */
    public String scopeOf(String slot) {
        return slot + "@" + info.version();
    }

    /** The scope of one candidate of a slot with per-candidate posteriors. */
    public String candidateScopeOf(String slot, String candidateId) {
        return slot + "#" + candidateId + "@" + info.version();
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
        validator.validate(input, requestIdRequired);
        int candidateCount = input.candidates().size();
        int k = input.k() == null ? 1 : input.k();
        float[][] candidateFeatures = new float[candidateCount][];
        for (int i = 0; i < candidateCount; i++) {
            candidateFeatures[i] = input.candidates().get(i).features();
        }
        float[][] z = encoder.encode(input.context(), candidateFeatures);
        checkFinite(z);

        String scope = scopeOf(input.slot());
        String requestId = input.requestId() == null || input.requestId().isBlank()
                ? UUID.randomUUID().toString() : input.requestId();
        long seed = seedOf(requestId);
        boolean perCandidate = perCandidateSlots.contains(input.slot());
        String[] candidateScopes = null;
        Explanation explanation = null;
        Choice choice;
        long posteriorVersion;
        if (perCandidate) {
            if (explain) {
                throw new InvalidRequestException(List.of(new InvalidRequestException.Violation("explain",
                        "is not available for slots with per-candidate posteriors")));
            }
            candidateScopes = new String[candidateCount];
            NormalInverseGammaPosterior[] perCandidatePosteriors = new NormalInverseGammaPosterior[candidateCount];
            posteriorVersion = 0;
            for (int a = 0; a < candidateCount; a++) {
                candidateScopes[a] = candidateScopeOf(input.slot(), input.candidates().get(a).id());
                perCandidatePosteriors[a] = posteriors.get(candidateScopes[a]).orElse(priorPosterior);
                posteriorVersion += perCandidatePosteriors[a].version();
            }
            choice = perCandidateSampler.choose(perCandidatePosteriors, z, k, seed);
        } else {
            NormalInverseGammaPosterior posterior = posteriors.get(scope).orElse(priorPosterior);
            posteriorVersion = posterior.version();
            explanation = explain ? sampler.explain(posterior, z, k, seed) : null;
            choice = explain ? explanation.choice() : sampler.choose(posterior, z, k, seed);
        }

        List<ChosenCandidate> chosen = new ArrayList<>(k);
        for (int rank = 0; rank < choice.chosen().length; rank++) {
            int index = choice.chosen()[rank];
            chosen.add(ChosenCandidate.newBuilder()
                    .setCandidateId(input.candidates().get(index).id())
                    .setRank(rank)
                    .setSampledScore(choice.sampledScores()[rank])
                    .setMeanScore(choice.meanScores()[rank])
                    .setPropensity(choice.propensities()[rank])
                    .setEmbedding(AvroArrays.floatList(z[index]))
                    .setScope(perCandidate ? candidateScopes[index] : null)
                    .build());
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
                .build(), explanation);
    }
}
