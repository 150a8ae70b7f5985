package io.vitrine.schemas;

/**
 * Names of posterior scopes. A scope is {@code <learning key>@<encoder version>}, where the learning key is a slot
 * (one posterior shared by its candidates) or {@code slot#candidate} (one per candidate). Rewards are keyed by
 * learning key, so that every reward of a slot, whichever encoder version made its decision, is on one partition of
 * the rewards topic in log order: what a new encoder version replays to rebuild its posteriors.
 */
public final class Scopes {

    private Scopes() {
    }

    /** The scope of a learning key under an encoder version. */
    public static String of(String learningKey, String encoderVersion) {
        return learningKey + "@" + encoderVersion;
    }

    /** The scope without its encoder version; a name without '@' is its own learning key. */
    public static String learningKey(String scope) {
        int at = scope.lastIndexOf('@');
        return at < 0 ? scope : scope.substring(0, at);
    }

    /** The encoder version of a scope; empty when it names none. */
    public static String encoderVersion(String scope) {
        int at = scope.lastIndexOf('@');
        return at < 0 ? "" : scope.substring(at + 1);
    }
}
