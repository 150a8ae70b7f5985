package io.vitrine.quality;

/** A family of environments (e.g. the wheel with delta 0.9); each seed gives one environment. */
public interface EnvironmentSpec {

    /** Short label for tables, e.g. {@code wheel δ=0.90}. */
    String label();

    Environment create(long seed);
}
