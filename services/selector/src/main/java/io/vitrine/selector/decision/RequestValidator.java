package io.vitrine.selector.decision;

import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.selector.decision.InvalidRequestException.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Checks a decision request against the encoder's feature layout and the configured limits. */
public final class RequestValidator {

    static final int MAX_ID_LENGTH = 256;
    private static final String INVALID_FEATURES = "invalid-features";

    private final EncoderInfo encoder;
    private final int maxCandidates;
    private final int maxK;
    private final Optional<Set<String>> knownSlots;

    /** @param knownSlots when present, the only slots requests may name */
    public RequestValidator(EncoderInfo encoder, int maxCandidates, int maxK, Optional<Set<String>> knownSlots) {
        this.encoder = encoder;
        this.maxCandidates = maxCandidates;
        this.maxK = maxK;
        this.knownSlots = knownSlots.map(Set::copyOf);
    }

    /** Throws {@link InvalidRequestException} listing every problem; returns normally if none. */
    public void validate(DecisionInput input, boolean requestIdRequired) {
        List<Violation> violations = new ArrayList<>();
        if (input.requestId() == null || input.requestId().isBlank()) {
            if (requestIdRequired) {
                violations.add(new Violation("requestId", "is required"));
            } else if (input.requestId() != null) {
                violations.add(new Violation("requestId", "must not be blank (leave it out to get a generated id)"));
            }
        } else if (input.requestId().length() > MAX_ID_LENGTH) {
            violations.add(new Violation("requestId", "is longer than " + MAX_ID_LENGTH + " characters"));
        }
        if (input.slot() == null || input.slot().isBlank()) {
            violations.add(new Violation("slot", "is required"));
        } else if (input.slot().length() > MAX_ID_LENGTH) {
            violations.add(new Violation("slot", "is longer than " + MAX_ID_LENGTH + " characters"));
        } else if (knownSlots.isPresent() && !knownSlots.get().contains(input.slot())) {
            violations.add(new Violation("slot", "'" + input.slot() + "' is not a known slot", "unknown-slot"));
        }
        checkFeatures("context", input.context(), encoder.contextFeatures(), violations);
        int candidateCount = checkCandidates(input, violations);
        if (input.k() != null) {
            int k = input.k();
            if (k < 1) {
                violations.add(new Violation("k", "must be at least 1, got " + k));
            } else if (k > maxK) {
                violations.add(new Violation("k", "must be at most " + maxK + ", got " + k));
            } else if (candidateCount > 0 && k > candidateCount) {
                violations.add(new Violation("k", "asks for " + k + " candidates but the request has "
                        + candidateCount));
            }
        }
        checkIncumbent(input, violations);
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
    }

    /** The caller's own choice, when sent, must be one of the request's candidates, with a propensity in (0, 1]. */
    private static void checkIncumbent(DecisionInput input, List<Violation> violations) {
        DecisionInput.Incumbent incumbent = input.incumbent();
        if (incumbent == null) {
            return;
        }
        if (incumbent.candidateId() == null || incumbent.candidateId().isBlank()) {
            violations.add(new Violation("incumbent.candidateId", "is required"));
        } else if (input.candidates() != null && input.candidates().stream()
                .noneMatch(c -> c != null && incumbent.candidateId().equals(c.id()))) {
            violations.add(new Violation("incumbent.candidateId", "'" + incumbent.candidateId()
                    + "' is not one of the request's candidates"));
        }
        Double propensity = incumbent.propensity();
        if (propensity != null && !(propensity > 0 && propensity <= 1)) {
            violations.add(new Violation("incumbent.propensity", "must be in (0, 1], got " + propensity));
        }
    }

    private int checkCandidates(DecisionInput input, List<Violation> violations) {
        List<DecisionInput.CandidateInput> candidates = input.candidates();
        if (candidates == null || candidates.isEmpty()) {
            violations.add(new Violation("candidates", "must hold at least one candidate"));
            return 0;
        }
        if (candidates.size() > maxCandidates) {
            violations.add(new Violation("candidates", "holds " + candidates.size() + " candidates, more than the limit of "
                    + maxCandidates, "too-many-candidates"));
            return 0;
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < candidates.size(); i++) {
            DecisionInput.CandidateInput candidate = candidates.get(i);
            String field = "candidates[" + i + "]";
            if (candidate == null) {
                violations.add(new Violation(field, "is null"));
                continue;
            }
            if (candidate.id() == null || candidate.id().isBlank()) {
                violations.add(new Violation(field + ".id", "is required"));
            } else if (candidate.id().length() > MAX_ID_LENGTH) {
                violations.add(new Violation(field + ".id", "is longer than " + MAX_ID_LENGTH + " characters"));
            } else if (!ids.add(candidate.id())) {
                violations.add(new Violation(field + ".id", "'" + candidate.id() + "' appears more than once"));
            }
            checkFeatures(field + ".features", candidate.features(), encoder.candidateFeatures(), violations);
        }
        return candidates.size();
    }

    private static void checkFeatures(String field, float[] features, int expected, List<Violation> violations) {
        if (features == null) {
            violations.add(new Violation(field, "is required (" + expected + " numbers)", INVALID_FEATURES));
            return;
        }
        if (features.length != expected) {
            violations.add(new Violation(field, "has " + features.length + " values, the encoder expects " + expected,
                    INVALID_FEATURES));
            return;
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                violations.add(new Violation(field + "[" + i + "]", "must be a finite number, got " + features[i],
                        INVALID_FEATURES));
                return;
            }
        }
    }
}
