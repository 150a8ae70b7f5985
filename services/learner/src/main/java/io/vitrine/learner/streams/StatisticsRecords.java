package io.vitrine.learner.streams;

import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.schemas.AvroArrays;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/**
 * A scope's sufficient statistics as the learner's state store keeps them ({@link PosteriorStatistics}). Since
 * version 2 of that record, A and b are one packed array of little-endian doubles ({@code packed}) instead of two
 * Avro arrays: the store is read and written on every reward, and decoding d x d boxed doubles each time was the
 * learner's largest cost. Records written in the version 1 form (arrays) are still read, so a learner upgraded in
 * place restores its old changelogs; a learner older than version 2 cannot read the packed form (see
 * {@code docs/deploy.md}, "Upgrades").
 */
public final class StatisticsRecords {

    private StatisticsRecords() {
    }

    /** The statistics a stored record holds, in either form. */
    public static SufficientStatistics read(PosteriorStatistics stored) {
        ByteBuffer packed = stored.getPacked();
        if (packed == null) {
            return SufficientStatistics.of(stored.getN(), AvroArrays.doubles(stored.getSumZZ()),
                    AvroArrays.doubles(stored.getSumRZ()), stored.getSumRR(), stored.getVersion());
        }
        int d = stored.getDimension();
        if (d < 1) {
            throw new IllegalArgumentException("statistics of scope '" + stored.getScope() + "' of dimension " + d);
        }
        double[][] ab;
        try {
            ab = AvroArrays.unpacked(packed, d * d, d);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("statistics of scope '" + stored.getScope() + "' of dimension " + d
                    + ": " + e.getMessage(), e);
        }
        double[] a = ab[0];
        double[] b = ab[1];
        return SufficientStatistics.of(stored.getN(), a, b, stored.getSumRR(), stored.getVersion());
    }

    /** The record of {@code stats}, in the packed form. */
    public static PosteriorStatistics write(String scope, String slot, String encoderVersion,
                                           SufficientStatistics stats, Instant updatedAt) {
        return PosteriorStatistics.newBuilder()
                .setScope(scope)
                .setSlot(slot)
                .setEncoderVersion(encoderVersion)
                .setVersion(stats.version())
                .setDimension(stats.dimension())
                .setN(stats.n())
                .setSumZZ(List.of())
                .setSumRZ(List.of())
                .setSumRR(stats.yy())
                .setUpdatedAt(updatedAt)
                .setPacked(AvroArrays.packed(stats.A(), stats.b()))
                .build();
    }

    /** Empty statistics of the same scope and dimension under the next version, as of {@code at} (a reset). */
    public static PosteriorStatistics emptied(PosteriorStatistics stored, Instant at) {
        SufficientStatistics empty = SufficientStatistics.of(0, new double[stored.getDimension() * stored.getDimension()],
                new double[stored.getDimension()], 0, stored.getVersion() + 1);
        return write(stored.getScope(), stored.getSlot(), stored.getEncoderVersion(), empty, at);
    }
}
