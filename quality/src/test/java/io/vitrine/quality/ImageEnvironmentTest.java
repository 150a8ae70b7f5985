package io.vitrine.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.core.bandit.Arm;
import io.vitrine.core.bandit.Policy;
import io.vitrine.world.WorldSpec;
import org.junit.jupiter.api.Test;

class ImageEnvironmentTest {

    private static final ImageEnvironmentSpec SPEC = ImageEnvironmentSpec.defaults();

    @Test
    void sameSeedSameRounds() {
        Environment a = SPEC.create(42);
        Environment b = SPEC.create(42);
        Environment c = SPEC.create(43);
        boolean differs = false;
        for (int i = 0; i < 3_000; i++) {
            Step x = a.next();
            Step y = b.next();
            Step z = c.next();
            assertArrayEquals(x.round().context(), y.round().context());
            assertArrayEquals(x.expected(), y.expected());
            assertArrayEquals(x.rewards(), y.rewards());
            for (int k = 0; k < x.round().arms().size(); k++) {
                Arm left = x.round().arms().get(k);
                Arm right = y.round().arms().get(k);
                assertEquals(left.id(), right.id());
                assertArrayEquals(left.features(), right.features());
            }
            differs |= x.expected()[0] != z.expected()[0];
        }
        assertTrue(differs, "another seed gives another world");
    }

    @Test
    void theOracleIsTheBestAndOneDrawDecidesEveryReward() {
        Environment world = SPEC.create(1);
        for (int i = 0; i < 5_000; i++) {
            Step step = world.next();
            assertEquals(SPEC.world().offered(), step.round().arms().size());
            assertEquals(SPEC.world().contextFeatures(), step.round().context().length);
            for (int k = 0; k < step.expected().length; k++) {
                assertTrue(step.optimal() >= step.expected()[k]);
                assertTrue(step.rewards()[k] == 0 || step.rewards()[k] == 1);
                for (int l = 0; l < step.expected().length; l++) {
                    // One uniform draw: an arm at least as likely to be clicked is clicked whenever this one is.
                    if (step.expected()[l] >= step.expected()[k]) {
                        assertTrue(step.rewards()[l] >= step.rewards()[k]);
                    }
                }
            }
            assertEquals(step, world.current());
        }
    }

    @Test
    void newImagesArriveOverTime() {
        ImageEnvironment world = (ImageEnvironment) SPEC.create(5);
        int initial = world.imagesCreated();
        for (int i = 0; i < 20_000; i++) {
            world.next();
        }
        assertTrue(world.imagesCreated() > initial + 20, "images created: " + world.imagesCreated());
    }

    @Test
    void theKnownModelBeatsUniformAndStaysBelowTheOracle() {
        Environment world = SPEC.create(3);
        Policy known = SPEC.knownModel().factory().create(world, 3);
        double chosen = 0;
        double mean = 0;
        double oracle = 0;
        for (int i = 0; i < 20_000; i++) {
            Step step = world.next();
            chosen += step.expected()[known.choose(step.round())];
            oracle += step.optimal();
            for (double p : step.expected()) {
                mean += p / step.expected().length;
            }
        }
        assertTrue(chosen > 2 * mean, "known model " + chosen + " against uniform " + mean);
        assertTrue(chosen < oracle, "known model " + chosen + " against the oracle " + oracle);
    }

    @Test
    void theKnownModelNeedsTheWholeHiddenVectorInTheContext() {
        ImageEnvironmentSpec demo = new ImageEnvironmentSpec(new WorldSpec(4, 6, 8, 8, 1));
        assertThrows(IllegalStateException.class, demo::knownModel);
    }
}
