package io.vitrine.benchmarks;

import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.schemas.AvroArrays;
import io.vitrine.schemas.AvroSerdes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.serialization.Serde;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the learner does to its state store on every reward: read a scope's statistics record from its bytes,
 * apply the reward (a rank-1 update), write the record back to bytes. Two forms of the record:
 * <ul>
 *   <li>{@code arrays}: the first release's, A and b as Avro arrays of boxed doubles, read and written by Avro's
 *   own {@code BinaryMessageDecoder} and {@code BinaryMessageEncoder};</li>
 *   <li>{@code packed}: the current one, A and b as one {@code bytes} field of little-endian doubles, read by
 *   {@link AvroSerdes#registryless} (a buffered decoder over the array).</li>
 * </ul>
 * d = 18 is the demo's bilinear encoder, 32 the built-in one.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
public class StatisticsRecordBenchmark {

    @State(Scope.Thread)
    public static class Record {
        @Param({"18", "32"})
        int d;

        final Serde<PosteriorStatistics> serde = AvroSerdes.registryless(PosteriorStatistics.class);
        final BinaryMessageEncoder<PosteriorStatistics> avroEncoder = PosteriorStatistics.getEncoder();
        final BinaryMessageDecoder<PosteriorStatistics> avroDecoder = PosteriorStatistics.getDecoder();
        byte[] arrays;
        byte[] packed;
        float[] z;

        @Setup
        public void setUp() throws IOException {
            SufficientStatistics stats = SufficientStatistics.empty(d);
            SplittableRandom random = new SplittableRandom(1);
            z = new float[d];
            for (int i = 0; i < 200; i++) {
                for (int j = 0; j < d; j++) {
                    z[j] = (float) random.nextGaussian();
                }
                stats.update(z, random.nextDouble() < 0.2 ? 1 : 0);
            }
            arrays = bytes(avroEncoder.encode(arraysRecord(stats)));
            packed = serde.serializer().serialize("changelog", packedRecord(stats));
        }
    }

    @Benchmark
    public byte[] arrays(Record r) throws IOException {
        PosteriorStatistics stored = r.avroDecoder.decode(r.arrays);
        SufficientStatistics stats = SufficientStatistics.of(stored.getN(), AvroArrays.doubles(stored.getSumZZ()),
                AvroArrays.doubles(stored.getSumRZ()), stored.getSumRR(), stored.getVersion());
        stats.update(r.z, 1);
        return bytes(r.avroEncoder.encode(arraysRecord(stats)));
    }

    @Benchmark
    public byte[] packed(Record r) {
        PosteriorStatistics stored = r.serde.deserializer().deserialize("changelog", r.packed);
        int d = stored.getDimension();
        double[][] ab = AvroArrays.unpacked(stored.getPacked(), d * d, d);
        SufficientStatistics stats = SufficientStatistics.of(stored.getN(), ab[0], ab[1], stored.getSumRR(),
                stored.getVersion());
        stats.update(r.z, 1);
        return r.serde.serializer().serialize("changelog", packedRecord(stats));
    }

    private static PosteriorStatistics arraysRecord(SufficientStatistics stats) {
        return base(stats).setSumZZ(AvroArrays.doubleList(stats.A())).setSumRZ(AvroArrays.doubleList(stats.b()))
                .build();
    }

    private static PosteriorStatistics packedRecord(SufficientStatistics stats) {
        return base(stats).setSumZZ(List.of()).setSumRZ(List.of()).setPacked(AvroArrays.packed(stats.A(), stats.b()))
                .build();
    }

    private static PosteriorStatistics.Builder base(SufficientStatistics stats) {
        return PosteriorStatistics.newBuilder().setScope("hotel-1/hero@t20261207T041123-da9e7cfc")
                .setSlot("hotel-1/hero").setEncoderVersion("t20261207T041123-da9e7cfc").setVersion(stats.version())
                .setDimension(stats.dimension()).setN(stats.n()).setSumRR(stats.yy())
                .setUpdatedAt(Instant.ofEpochMilli(1_765_000_000_000L));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
