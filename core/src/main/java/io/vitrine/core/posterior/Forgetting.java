package io.vitrine.core.posterior;

/**
 * Exponential forgetting with a half-life counted in events, for click rates that drift: before each update the
 * statistics are multiplied by
 * <pre>
 *   gamma = 2^(-1 / halfLifeEvents)
 * </pre>
 * so an observation's weight halves every {@code halfLifeEvents} later updates of the same statistics, and after
 * n updates observation i (0-based) weighs {@code gamma^(n-1-i)}. The effective sample size tends to
 * {@code 1 / (1 - gamma)}, about {@code 1.44 halfLifeEvents}, which bounds how confident the posterior can get,
 * so Thompson sampling keeps exploring at a rate set by the half-life.
 *
 * @param halfLifeEvents number of updates after which an observation's weight is halved, &gt; 0;
 *                       {@code Double.POSITIVE_INFINITY} means no forgetting ({@link #NONE})
 */
public record Forgetting(double halfLifeEvents) {

    /** No forgetting: gamma = 1, every observation keeps weight 1. */
    public static final Forgetting NONE = new Forgetting(Double.POSITIVE_INFINITY);

    public Forgetting {
        // The negated comparison also rejects NaN; infinity is allowed and means "never forget".
        if (!(halfLifeEvents > 0)) {
            throw new IllegalArgumentException("half-life must be > 0 events (or infinite for none), got "
                    + halfLifeEvents);
        }
    }

    /** Forgetting with the given half-life in events. */
    public static Forgetting halfLife(double events) {
        return new Forgetting(events);
    }

    /** gamma = 2^(-1 / halfLifeEvents), in (0, 1]; exactly 1 for {@link #NONE}. */
    public double factor() {
        return Double.isInfinite(halfLifeEvents) ? 1.0 : Math.pow(2.0, -1.0 / halfLifeEvents);
    }

    /** True when observations lose weight over time. */
    public boolean enabled() {
        return factor() < 1.0;
    }

    /** Forgets then adds one observation: {@code statistics.update(z, r, factor())}. */
    public void update(SufficientStatistics statistics, float[] z, double r) {
        statistics.update(z, r, factor());
    }
}
