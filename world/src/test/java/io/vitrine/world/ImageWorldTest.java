package io.vitrine.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageWorldTest {

    private static final WorldSpec SPEC = new WorldSpec(4, 6, 8, 8, 42);

    @Test
    void sameSeedGivesTheSameWorldAndVisitors() {
        ImageWorld a = ImageWorld.generate(SPEC);
        ImageWorld b = ImageWorld.generate(SPEC);
        for (int s = 0; s < SPEC.slots(); s++) {
            assertEquals(a.slot(s).name(), b.slot(s).name());
            for (int c = 0; c < SPEC.imagesPerSlot(); c++) {
                assertArrayEquals(a.slot(s).candidates().get(c).features(), b.slot(s).candidates().get(c).features());
            }
        }
        for (long i = 0; i < 100; i++) {
            Visitor va = a.visitor(i);
            Visitor vb = b.visitor(i);
            assertEquals(va.slot(), vb.slot());
            assertArrayEquals(va.context(), vb.context());
            assertArrayEquals(a.clickProbabilities(va), b.clickProbabilities(vb));
        }
    }

    @Test
    void anotherSeedGivesAnotherWorld() {
        ImageWorld a = ImageWorld.generate(SPEC);
        ImageWorld b = ImageWorld.generate(new WorldSpec(4, 6, 8, 8, 43));
        assertFalse(Arrays.equals(a.slot(0).candidates().get(0).features(), b.slot(0).candidates().get(0).features()));
        assertFalse(Arrays.equals(a.visitor(0).context(), b.visitor(0).context()));
    }

    @Test
    void theExpectedClickProbabilityGivenTheContextIsCalibrated() {
        // E[p | context] must average to the hidden p within every band of its own predictions: a wrong posterior of
        // the hidden vector (its shrinkage, which feature sees which dimension) would over- or under-predict at the
        // extremes.
        ImageWorld world = ImageWorld.generate(SPEC);
        int bands = 4;
        double[] predicted = new double[bands];
        double[] hidden = new double[bands];
        int[] count = new int[bands];
        for (long i = 0; i < 20_000; i++) {
            Visitor visitor = world.visitor(i);
            double[] p = world.clickProbabilities(visitor);
            for (int a = 0; a < p.length; a++) {
                double e = world.expectedClickProbability(visitor.context(), visitor.slot(), a, 64);
                assertTrue(e > 0 && e < 1);
                int band = e < 0.06 ? 0 : e < 0.1 ? 1 : e < 0.16 ? 2 : 3;
                predicted[band] += e;
                hidden[band] += p[a];
                count[band]++;
            }
        }
        for (int b = 0; b < bands; b++) {
            assertTrue(count[b] > 1_000, "band " + b + " holds " + count[b]);
            assertEquals(hidden[b] / count[b], predicted[b] / count[b], 0.006, "band " + b);
        }
        assertEquals(world.expectedClickProbability(world.visitor(7).context(), 1, 2, 64),
                world.expectedClickProbability(world.visitor(7).context(), 1, 2, 64), "a function of its arguments");
    }

    @Test
    void oracleBoundsEveryProbabilityAndUniformIsTheMean() {
        ImageWorld world = ImageWorld.generate(SPEC);
        for (long i = 0; i < 2_000; i++) {
            Visitor visitor = world.visitor(i);
            double[] p = world.clickProbabilities(visitor);
            double sum = 0;
            for (int a = 0; a < p.length; a++) {
                assertTrue(p[a] > 0 && p[a] < 1, "probability in (0, 1)");
                assertTrue(world.oracle(visitor) >= p[a]);
                assertEquals(p[a], world.clickProbability(visitor, a));
                sum += p[a];
            }
            assertEquals(sum / p.length, world.uniform(visitor), 1e-12);
            assertEquals(world.oracle(visitor), p[ImageWorld.best(p)]);
        }
    }

    @Test
    void featuresHaveTheEncoderSizes() {
        ImageWorld world = ImageWorld.generate(new WorldSpec(3, 5, 7, 11, 1));
        assertEquals(3, world.slots().size());
        world.slots().forEach(slot -> {
            assertEquals(5, slot.candidates().size());
            slot.candidates().forEach(image -> assertEquals(11, image.features().length));
        });
        assertEquals(7, world.visitor(5).context().length);
    }

    @Test
    void clickRatesAreRealisticAndTheBestImageDependsOnTheVisitorInSomeSlots() {
        ImageWorld world = ImageWorld.generate(SPEC);
        double oracle = 0;
        double uniform = 0;
        int[][] bestCounts = new int[SPEC.slots()][SPEC.imagesPerSlot()];
        int n = 20_000;
        for (long i = 0; i < n; i++) {
            Visitor visitor = world.visitor(i);
            double[] p = world.clickProbabilities(visitor);
            oracle += ImageWorld.max(p) / n;
            uniform += ImageWorld.mean(p) / n;
            bestCounts[visitor.slot()][ImageWorld.best(p)]++;
        }
        assertTrue(uniform > 0.03 && uniform < 0.15, "uniform CTR " + uniform);
        assertTrue(oracle > uniform * 1.5 && oracle < 0.35, "oracle CTR " + oracle);
        int contextual = 0;
        for (int[] counts : bestCounts) {
            long total = Arrays.stream(counts).sum();
            long candidatesOftenBest = Arrays.stream(counts).filter(c -> c > 0.15 * total).count();
            if (candidatesOftenBest >= 3) {
                contextual++;
            }
        }
        assertTrue(contextual >= 1, "at least one slot where the best image depends on the visitor");
    }

    @Test
    void fixedRatesIgnoreTheVisitor() {
        double[] rates = {0.05, 0.10, 0.40};
        ImageWorld world = ImageWorld.fixedRates("h/hero", rates, 8, 8, 3);
        assertEquals(1, world.slots().size());
        for (long i = 0; i < 50; i++) {
            assertArrayEquals(rates, world.clickProbabilities(world.visitor(i)), 1e-12);
        }
        assertFalse(Arrays.equals(world.slot(0).candidates().get(0).features(),
                world.slot(0).candidates().get(1).features()));
    }
}
