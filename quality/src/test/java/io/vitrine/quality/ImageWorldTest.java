package io.vitrine.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.core.bandit.Arm;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageWorldTest {

    private static final ImageWorldSpec SPEC = ImageWorldSpec.defaults();

    @Test
    void sameSeedSameWorld() {
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
    void probabilitiesAreInTheOpenUnitIntervalAndTheOracleIsTheBest() {
        Environment world = SPEC.create(1);
        double oracle = 0;
        double mean = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            Step step = world.next();
            assertEquals(SPEC.offered(), step.round().arms().size());
            Set<String> ids = new HashSet<>();
            for (int k = 0; k < step.expected().length; k++) {
                double p = step.expected()[k];
                assertTrue(p > 0 && p < 1, "probability " + p);
                assertTrue(step.optimal() >= p);
                assertTrue(step.rewards()[k] == 0 || step.rewards()[k] == 1);
                assertTrue(ids.add(step.round().arms().get(k).id()), "a candidate is offered twice");
                mean += p / step.expected().length;
            }
            oracle += step.optimal();
        }
        // Click-through rates of the product's order of magnitude.
        assertTrue(mean / n > 0.02 && mean / n < 0.15, "mean CTR " + mean / n);
        assertTrue(oracle / n > 0.1 && oracle / n < 0.4, "oracle CTR " + oracle / n);
    }

    @Test
    void newImagesArriveOverTime() {
        ImageWorld world = new ImageWorld(SPEC, 5);
        int initial = world.imagesCreated();
        assertEquals(SPEC.slots() * SPEC.poolSize(), initial);
        Set<String> early = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            world.next().round().arms().forEach(arm -> early.add(arm.id()));
        }
        Set<String> late = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            world.next().round().arms().forEach(arm -> late.add(arm.id()));
        }
        assertTrue(world.imagesCreated() > initial + 20, "images created: " + world.imagesCreated());
        late.removeAll(early);
        assertTrue(late.size() > 20, "new images offered: " + late.size());
    }
}
