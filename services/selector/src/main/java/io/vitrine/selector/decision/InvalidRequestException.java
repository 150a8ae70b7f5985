package io.vitrine.selector.decision;

import java.util.List;

/** A decision request that cannot be served, with every reason found. */
public final class InvalidRequestException extends RuntimeException {

    /** A problem of no more specific kind. */
    public static final String INVALID_REQUEST = "invalid-request";

    /**
     * One problem of a request: where it is, what is wrong, and its kind, a short machine-readable reason
     * ({@value #INVALID_REQUEST}, {@code unknown-slot}, {@code too-many-candidates}, {@code invalid-features}) that
     * dead letters and metrics carry.
     */
    public record Violation(String field, String message, String kind) {

        public Violation(String field, String message) {
            this(field, message, INVALID_REQUEST);
        }

        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    private final transient List<Violation> violations;

    public InvalidRequestException(List<Violation> violations) {
        super(violations.size() == 1 ? violations.get(0).toString()
                : violations.size() + " problems: " + violations);
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }

    /** The kind of the first violation that has a specific one, else {@value #INVALID_REQUEST}. */
    public String reason() {
        return violations.stream().map(Violation::kind).filter(kind -> !INVALID_REQUEST.equals(kind))
                .findFirst().orElse(INVALID_REQUEST);
    }
}
