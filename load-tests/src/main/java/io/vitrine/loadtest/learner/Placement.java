package io.vitrine.loadtest.learner;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** Which partition a client writes an impression or click to, for its request id as key. */
public enum Placement {

    /** Kafka's Java client: murmur2 of the key, the partition the learner joins on. No partition is named. */
    JAVA("java"),

    /**
     * librdkafka's default ({@code consistent_random}): CRC32 of the key modulo the partition count, as Python,
     * Go, .NET, Node.js (node-rdkafka) and kcat clients write; most events land off their request's partition and
     * reach the join through the learner's repartition topics.
     */
    LIBRDKAFKA("librdkafka");

    private final String label;

    Placement(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The partition to name in the record, or null to leave it to the Java producer. */
    Integer partition(String key, int partitions) {
        if (this == JAVA) {
            return null;
        }
        CRC32 crc = new CRC32(); // the same CRC-32 (zlib's polynomial) as librdkafka's rd_crc32
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }
}
