package io.vitrine.selector.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Settings of the producers whose acknowledgement an HTTP answer waits for (the decision log, the event API):
 * idempotent, {@code acks=all}, and no wait longer than the log timeout. Kafka's defaults would let {@code send}
 * block 60 s for the metadata of a missing topic ({@code max.block.ms}) and retry for 120 s
 * ({@code delivery.timeout.ms}); here the retries end with the log timeout, the wait for metadata a little before it
 * (a tenth of it, at most 500 ms), so that the answer names a missing topic rather than the bare timeout, and
 * {@code request.timeout.ms} is cut so that {@code linger.ms + request.timeout.ms <= delivery.timeout.ms}, which the
 * producer requires.
 */
public final class LogProducerSettings {

    private static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

    private LogProducerSettings() {
    }

    /**
     * The Kafka settings {@code kafka} (bootstrap servers, security ...) with the log timeout's bounds and
     * {@code clientId}, which names the producer's {@code kafka_producer_*} metrics.
     */
    public static Map<String, Object> of(Map<String, Object> kafka, Duration logTimeout, String clientId) {
        long timeout = logTimeout.toMillis();
        if (timeout < 100) {
            throw new IllegalArgumentException("vitrine.selector.log-timeout must be at least 100ms, got " + logTimeout);
        }
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        long linger = Long.parseLong(String.valueOf(config.get(ProducerConfig.LINGER_MS_CONFIG)));
        long request = Math.min(millis(config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG), DEFAULT_REQUEST_TIMEOUT_MS),
                timeout - linger);
        if (request <= 0) {
            throw new IllegalArgumentException("linger.ms (" + linger + ") leaves no time for a request within "
                    + "vitrine.selector.log-timeout (" + logTimeout + ")");
        }
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout - Math.min(timeout / 10, 500));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeout));
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) request);
        return config;
    }

    private static long millis(Object value, long otherwise) {
        return value == null ? otherwise : Long.parseLong(String.valueOf(value).trim());
    }
}
