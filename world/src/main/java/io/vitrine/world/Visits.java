package io.vitrine.world;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A world played in order, from visit 0. New images and drift change a copy of the world's pools; the visitors are
 * the world's own ({@link ImageWorld#visitor(long)}), centred on a drifting population mean if the world drifts.
 * Arrivals, drift, the offered subset and the click draw come from one stream of their own, so everything is a
 * function of the seed and no choice of a policy ever touches it.
 */
public final class Visits {

    /** Visits between two drift steps. */
    static final int DRIFT_EVERY = 100;
    /** Stationary standard deviation of each coordinate of the visitor population's mean. */
    static final double VISITOR_DRIFT_SPREAD = 0.5;
    /** Negative, so never a visitor's index. */
    private static final long DYNAMICS_STREAM = -0xD7L;

    private final ImageWorld world;
    private final WorldSpec spec;
    private final SplittableRandom random;
    private final List<List<Image>> pools = new ArrayList<>();
    private final int[] made;
    private final double[] populationMean;
    private final double driftKeep;
    private final int[] order;
    private long index;
    private int imagesCreated;

    Visits(ImageWorld world) {
        this.world = world;
        this.spec = world.spec();
        this.random = new SplittableRandom(ImageWorld.mix(spec.seed(), DYNAMICS_STREAM));
        this.made = new int[world.slots().size()];
        for (int s = 0; s < made.length; s++) {
            pools.add(new ArrayList<>(world.slot(s).candidates()));
            made[s] = world.slot(s).candidates().size();
            imagesCreated += made[s];
        }
        int halfLife = spec.dynamics().driftHalfLife();
        this.populationMean = halfLife > 0 ? new double[spec.latent()] : null;
        // AR(1) coefficient per drift step, so that keep^(halfLife / DRIFT_EVERY) = 1/2.
        this.driftKeep = halfLife > 0 ? Math.pow(0.5, (double) DRIFT_EVERY / halfLife) : 1;
        this.order = new int[spec.imagesPerSlot()];
    }

    /** The next visit. */
    public Visit next() {
        long t = index++;
        if (populationMean != null && t > 0 && t % DRIFT_EVERY == 0) {
            drift();
        }
        int arrivalEvery = spec.dynamics().arrivalEvery();
        if (arrivalEvery > 0 && random.nextInt(arrivalEvery) == 0) {
            int slot = random.nextInt(pools.size());
            List<Image> pool = pools.get(slot);
            pool.remove(0);
            SlotKind kind = spec.slotKinds().get(slot % spec.slotKinds().size());
            pool.add(ImageWorld.newImage(spec, kind, slot, ++made[slot], random));
            imagesCreated++;
        }
        Visitor visitor = world.visitor(t, populationMean);
        List<Image> pool = pools.get(visitor.slot());
        List<Image> offered;
        if (spec.offered() == pool.size()) {
            offered = pool;
        } else {
            // Partial Fisher-Yates: the first `offered` entries are a uniform sample without replacement.
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            offered = new ArrayList<>(spec.offered());
            for (int k = 0; k < spec.offered(); k++) {
                int pick = k + random.nextInt(order.length - k);
                int swap = order[k];
                order[k] = order[pick];
                order[pick] = swap;
                offered.add(pool.get(order[k]));
            }
        }
        double[] p = ImageWorld.clickProbabilities(visitor, offered, world.slot(visitor.slot()).contextWeight());
        return new Visit(visitor, offered, p, random.nextDouble());
    }

    /** Images made so far, the generated pools included. */
    public int imagesCreated() {
        return imagesCreated;
    }

    private void drift() {
        double fresh = Math.sqrt(1 - driftKeep * driftKeep);
        for (int j = 0; j < populationMean.length; j++) {
            // The population mean wanders around zero with a stationary spread of VISITOR_DRIFT_SPREAD.
            populationMean[j] = driftKeep * populationMean[j] + VISITOR_DRIFT_SPREAD * fresh * random.nextGaussian();
        }
        for (List<Image> pool : pools) {
            for (int i = 0; i < pool.size(); i++) {
                Image image = pool.get(i);
                double[] drifted = new double[image.hidden().length];
                for (int j = 0; j < drifted.length; j++) {
                    drifted[j] = driftKeep * image.hidden()[j] + spec.imageSpread() * fresh * random.nextGaussian();
                }
                pool.set(i, image.withHidden(drifted));
            }
        }
    }
}
