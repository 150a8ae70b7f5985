package io.vitrine.selector.decision;

import java.util.List;

/** A decision request that cannot be served, with every reason found. */
public final class InvalidRequestException extends RuntimeException {

    /** One problem of a request: where it is and what is wrong. */
    public record Violation(String field, String message) {
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
}
