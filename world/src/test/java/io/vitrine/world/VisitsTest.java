package io.vitrine.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VisitsTest {

    private static final WorldSpec CHANGING = WorldSpec.qualityReport(1);

    @Test
    void sameSeedSameVisits() {
        Visits a = ImageWorld.generate(CHANGING.withSeed(42)).visits();
        Visits b = ImageWorld.generate(CHANGING.withSeed(42)).visits();
        Visits c = ImageWorld.generate(CHANGING.withSeed(43)).visits();
        boolean differs = false;
        for (int i = 0; i < 3_000; i++) {
            Visit x = a.next();
            Visit y = b.next();
            Visit z = c.next();
            assertArrayEquals(x.visitor().context(), y.visitor().context());
            assertArrayEquals(x.clickProbabilities(), y.clickProbabilities());
            assertEquals(x.clickDraw(), y.clickDraw());
            for (int k = 0; k < x.offered().size(); k++) {
                assertEquals(x.offered().get(k).id(), y.offered().get(k).id());
                assertArrayEquals(x.offered().get(k).features(), y.offered().get(k).features());
            }
            differs |= x.clickProbabilities()[0] != z.clickProbabilities()[0];
        }
        assertTrue(differs, "another seed gives another world");
    }

    @Test
    void probabilitiesAreInTheOpenUnitIntervalAndTheOfferedAreDistinct() {
        Visits visits = ImageWorld.generate(CHANGING).visits();
        double oracle = 0;
        double mean = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            Visit visit = visits.next();
            assertEquals(CHANGING.offered(), visit.offered().size());
            Set<String> ids = new HashSet<>();
            for (int k = 0; k < visit.offered().size(); k++) {
                double p = visit.clickProbabilities()[k];
                assertTrue(p > 0 && p < 1, "probability " + p);
                assertEquals(visit.clickDraw() < p, visit.clicked(k));
                assertTrue(ids.add(visit.offered().get(k).id()), "a candidate is offered twice");
                mean += p / visit.offered().size();
            }
            oracle += ImageWorld.max(visit.clickProbabilities());
        }
        // Click-through rates of the product's order of magnitude.
        assertTrue(mean / n > 0.02 && mean / n < 0.15, "mean CTR " + mean / n);
        assertTrue(oracle / n > 0.1 && oracle / n < 0.4, "oracle CTR " + oracle / n);
    }

    @Test
    void newImagesArriveOverTime() {
        Visits visits = ImageWorld.generate(CHANGING.withSeed(5)).visits();
        int initial = visits.imagesCreated();
        assertEquals(CHANGING.slots() * CHANGING.imagesPerSlot(), initial);
        Set<String> early = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            visits.next().offered().forEach(image -> early.add(image.id()));
        }
        Set<String> late = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            visits.next().offered().forEach(image -> late.add(image.id()));
        }
        assertTrue(visits.imagesCreated() > initial + 20, "images created: " + visits.imagesCreated());
        late.removeAll(early);
        assertTrue(late.size() > 20, "new images offered: " + late.size());
    }

    @Test
    void driftMovesImagesButNotWhatPoliciesSeeOfThemNorTheGeneratedWorld() {
        WorldSpec fast = new WorldSpec(2, 4, 4, 3, 0.6, CHANGING.slotKinds(),
                new WorldSpec.Observation(3, 3, 0.2, 4, 0.1, -3.2), new WorldSpec.Dynamics(0, 200), 7);
        ImageWorld world = ImageWorld.generate(fast);
        Visits visits = world.visits();
        Visit first = visits.next();
        Visit later = first;
        for (int i = 0; i < 2_000; i++) {
            Visit visit = visits.next();
            if (visit.visitor().slot() == first.visitor().slot()) {
                later = visit;
            }
        }
        assertNotSame(first, later);
        Image before = first.offered().get(0);
        Image after = later.offered().get(0);
        assertEquals(before.id(), after.id(), "no arrivals: the same images, in pool order");
        assertArrayEquals(before.features(), after.features(), "features are fixed when the image is made");
        assertTrue(distance(before.hidden(), after.hidden()) > 0.1, "the hidden vector drifted");
        List<Image> generated = world.slot(first.visitor().slot()).candidates();
        assertArrayEquals(before.hidden(), generated.get(0).hidden(), "the generated world does not change");
    }

    @Test
    void aStaticWorldPlayedInOrderGivesItsOwnVisitorsAndProbabilities() {
        ImageWorld world = ImageWorld.generate(new WorldSpec(4, 6, 8, 8, 42));
        Visits visits = world.visits();
        for (long i = 0; i < 500; i++) {
            Visit visit = visits.next();
            Visitor visitor = world.visitor(i);
            assertEquals(visitor.slot(), visit.visitor().slot());
            assertArrayEquals(visitor.context(), visit.visitor().context());
            assertArrayEquals(world.clickProbabilities(visitor), visit.clickProbabilities());
            assertEquals(world.slot(visitor.slot()).candidates(), visit.offered());
        }
    }

    private static double distance(double[] a, double[] b) {
        double sum = 0;
        for (int j = 0; j < a.length; j++) {
            sum += (a[j] - b[j]) * (a[j] - b[j]);
        }
        return Math.sqrt(sum);
    }
}
