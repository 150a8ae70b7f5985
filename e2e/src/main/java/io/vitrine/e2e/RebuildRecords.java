package io.vitrine.e2e;

import io.vitrine.avro.PosteriorSnapshot;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What the rebuild tests read back: the newest posterior of each scope, an encoder version's model bytes. */
public final class RebuildRecords {

    private RebuildRecords() {
    }

    /** The newest snapshot (highest posterior version) of every scope among {@code records}. */
    public static Map<String, PosteriorSnapshot> latest(List<ConsumerRecord<String, PosteriorSnapshot>> records) {
        Map<String, PosteriorSnapshot> latest = new HashMap<>();
        for (ConsumerRecord<String, PosteriorSnapshot> record : records) {
            latest.merge(record.key(), record.value(), (a, b) -> b.getVersion() >= a.getVersion() ? b : a);
        }
        return latest;
    }

    public static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
