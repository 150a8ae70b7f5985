package io.vitrine.quality;

/** Derivation of independent seeds, so every run is a pure function of its base seed. */
final class Seeds {

    private Seeds() {
    }

    /** Stafford's mix13 of a golden-ratio combination of {@code seed} and {@code stream}. */
    static long mix(long seed, long stream) {
        long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A stream id from a name: String.hashCode is specified, so it is stable across JVMs. */
    static long stream(String name) {
        return name.hashCode() & 0xFFFFFFFFL;
    }
}
