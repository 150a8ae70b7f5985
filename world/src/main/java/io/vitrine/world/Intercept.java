package io.vitrine.world;

import java.util.SplittableRandom;

/** How the hidden intercepts of a kind of slot's images are drawn. */
public sealed interface Intercept {

    double draw(SplittableRandom random);

    /** Uniform on {@code [low, low + width)}. */
    record Uniform(double low, double width) implements Intercept {
        public Uniform {
            if (!(width > 0)) {
                throw new IllegalArgumentException("width must be positive: " + width);
            }
        }

        @Override
        public double draw(SplittableRandom random) {
            return low + width * random.nextDouble();
        }
    }

    /** Normal with mean {@code mean} and standard deviation {@code sd}. */
    record Normal(double mean, double sd) implements Intercept {
        public Normal {
            if (!(sd >= 0)) {
                throw new IllegalArgumentException("sd must be non-negative: " + sd);
            }
        }

        @Override
        public double draw(SplittableRandom random) {
            return mean + sd * random.nextGaussian();
        }
    }
}
