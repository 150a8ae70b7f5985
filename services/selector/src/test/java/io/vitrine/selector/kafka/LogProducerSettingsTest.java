package io.vitrine.selector.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class LogProducerSettingsTest {

    private static final Map<String, Object> KAFKA = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");

    @Test
    void everyWaitOfTheProducerEndsWithTheLogTimeoutTheWaitForMetadataALittleBefore() {
        Map<String, Object> config = LogProducerSettings.of(KAFKA, Duration.ofSeconds(5), "log");
        assertEquals(4500L, config.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
        assertEquals(5000, config.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
        assertEquals(4999, config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG), "linger 1 ms + request <= delivery");
        assertEquals(true, config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("all", config.get(ProducerConfig.ACKS_CONFIG));
        assertEquals("log", config.get(ProducerConfig.CLIENT_ID_CONFIG));
    }

    @Test
    void settingsOfTheDeploymentAreCutToTheTimeoutAndTheProducerAcceptsThem() {
        Map<String, Object> config = LogProducerSettings.of(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1",
                ProducerConfig.LINGER_MS_CONFIG, "20",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000"), Duration.ofSeconds(2), "log");
        assertEquals(1800L, config.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
        assertEquals(1980, config.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
        // The producer refuses delivery.timeout.ms < linger.ms + request.timeout.ms when they are set explicitly.
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            assertTrue(producer.metrics().size() > 0);
        }
        // A shorter request timeout of the deployment is kept.
        assertEquals(1000, LogProducerSettings.of(Map.of(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000),
                Duration.ofSeconds(5), "log").get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    }

    @Test
    void aTimeoutThatLeavesNoTimeForARequestIsRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogProducerSettings.of(
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 500), Duration.ofMillis(400), "log"));
        assertTrue(e.getMessage().contains("vitrine.selector.log-timeout"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LogProducerSettings.of(KAFKA, Duration.ofMillis(10), "log"));
    }
}
