package io.vitrine.core.bandit;

/** How a linear baseline turns a round into feature vectors. */
public enum FeatureMode {
    /**
     * One model per arm id over {@code concat(context, 1)}: the "disjoint" model of Li et al. (2010) and the
     * per-action models of Riquelme et al. (2018). Arm features are ignored; a new arm starts from the prior.
     */
    PER_ARM,
    /**
     * One model shared by all arms over {@code concat(context, arm features, 1)}: arms with similar features get
     * similar scores, so a new arm is scored through its features from its first round.
     */
    SHARED;

    /** The feature vector of {@code arm} in {@code round}, the constant 1 last. */
    float[] features(Round round, Arm arm) {
        float[] context = round.context();
        if (this == PER_ARM) {
            float[] x = new float[context.length + 1];
            System.arraycopy(context, 0, x, 0, context.length);
            x[context.length] = 1f;
            return x;
        }
        float[] f = arm.features();
        int fa = f == null ? 0 : f.length;
        float[] x = new float[context.length + fa + 1];
        System.arraycopy(context, 0, x, 0, context.length);
        if (fa > 0) {
            System.arraycopy(f, 0, x, context.length, fa);
        }
        x[context.length + fa] = 1f;
        return x;
    }
}
