package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.SchemaHistory;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class StatisticsRecordsTest {

    private final Serde<PosteriorStatistics> serde = AvroSerdes.registryless(PosteriorStatistics.class);

    private static SufficientStatistics statistics(int d, int rewards, long seed) {
        SufficientStatistics stats = SufficientStatistics.empty(d);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < rewards; i++) {
            float[] z = new float[d];
            for (int j = 0; j < d; j++) {
                z[j] = (float) random.nextGaussian();
            }
            stats.update(z, random.nextDouble() < 0.2 ? 1 : 0);
        }
        return stats;
    }

    private static void assertSame(SufficientStatistics expected, SufficientStatistics actual) {
        assertEquals(expected.dimension(), actual.dimension());
        assertEquals(expected.n(), actual.n());
        assertEquals(expected.yy(), actual.yy());
        assertEquals(expected.version(), actual.version());
        assertArrayEquals(expected.A(), actual.A());
        assertArrayEquals(expected.b(), actual.b());
    }

    @Test
    void packedStatisticsRoundTripBitForBitThroughTheStoresSerde() {
        SufficientStatistics stats = statistics(32, 500, 1);
        PosteriorStatistics record = StatisticsRecords.write("s@e", "s", "e", stats, Instant.ofEpochMilli(42));
        assertTrue(record.getSumZZ().isEmpty(), "the arrays of the first version stay empty");
        byte[] bytes = serde.serializer().serialize("changelog", record);
        assertTrue(bytes.length < 8 * (32 * 32 + 32) + 100, "one double is 8 bytes: " + bytes.length);
        PosteriorStatistics read = serde.deserializer().deserialize("changelog", bytes);
        assertSame(stats, StatisticsRecords.read(read));
        assertEquals(Instant.ofEpochMilli(42), read.getUpdatedAt());
    }

    @Test
    void statisticsWrittenInTheFirstVersionsFormAreStillRead() throws Exception {
        // A changelog record written by a learner of the first release: the v1 schema, A and b as Avro arrays.
        SufficientStatistics stats = statistics(5, 40, 2);
        Schema v1 = SchemaHistory.versions("PosteriorStatistics").get(0);
        GenericRecord old = new GenericData.Record(v1);
        old.put("scope", "hotel/hero@e1");
        old.put("slot", "hotel/hero");
        old.put("encoderVersion", "e1");
        old.put("version", stats.version());
        old.put("dimension", 5);
        old.put("n", stats.n());
        old.put("sumZZ", boxed(stats.A()));
        old.put("sumRZ", boxed(stats.b()));
        old.put("sumRR", stats.yy());
        old.put("updatedAt", 1_700_000_000_000L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old, out);

        PosteriorStatistics read = serde.deserializer().deserialize("changelog", out.toByteArray());
        assertNull(read.getPacked());
        assertSame(stats, StatisticsRecords.read(read));
        assertEquals("hotel/hero@e1", read.getScope());
    }

    @Test
    void aResetKeepsTheDimensionAndMovesToTheNextVersion() {
        PosteriorStatistics stored = StatisticsRecords.write("s@e", "s", "e", statistics(4, 10, 3), Instant.EPOCH);
        PosteriorStatistics reset = StatisticsRecords.emptied(stored, Instant.ofEpochMilli(9));
        SufficientStatistics empty = StatisticsRecords.read(reset);
        assertEquals(4, empty.dimension());
        assertEquals(0, empty.n());
        assertEquals(11, empty.version());
        assertArrayEquals(new double[16], empty.A());
        assertEquals(Instant.ofEpochMilli(9), reset.getUpdatedAt());
    }

    @Test
    void packedValuesThatDoNotMatchTheDimensionAreRefusedNamingTheScope() {
        PosteriorStatistics stored = StatisticsRecords.write("s@e", "s", "e", statistics(3, 5, 4), Instant.EPOCH);
        PosteriorStatistics wrong = PosteriorStatistics.newBuilder(stored).setDimension(4).build();
        var error = assertThrows(IllegalArgumentException.class, () -> StatisticsRecords.read(wrong));
        assertTrue(error.getMessage().contains("s@e") && error.getMessage().contains("12 packed doubles"),
                error.getMessage());
        PosteriorStatistics cut = PosteriorStatistics.newBuilder(stored).setPacked(ByteBuffer.allocate(7)).build();
        assertThrows(IllegalArgumentException.class, () -> StatisticsRecords.read(cut));
    }

    private static List<Double> boxed(double[] values) {
        List<Double> list = new ArrayList<>(values.length);
        for (double v : values) {
            list.add(v);
        }
        return list;
    }
}
