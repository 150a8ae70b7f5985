package io.vitrine.loadtest.learner;

import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Writes the learner's input open loop: request {@code i} of a step is due at {@code start + i / rate}; its decision
 * (as the selector logs it) and its impression are sent then, a click on some of them 150 ms later, whatever the
 * learner does meanwhile. Every 100 ms a tick (a decision without impression, on every partition of the decisions
 * topic) keeps each task's stream time moving, as steady traffic would, so that the last windows of a step close by
 * event time.
 */
final class EventGenerator implements AutoCloseable {

    static final long IMPRESSION_AFTER_MILLIS = 20;
    static final long CLICK_AFTER_MILLIS = 150;

    /** What a step sent. */
    record Sent(long requests, long clicks, double maxLagMillis) {
    }

    private record PendingClick(long dueMillis, String topic, Integer partition, String key, Click click) {
    }

    private final KafkaProducer<String, SpecificRecord> producer;
    private final String prefix;
    private final LoadEvents events;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "stream-time-ticks");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    EventGenerator(String bootstrap, String prefix, LoadEvents events) {
        this.prefix = prefix;
        this.events = events;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new StringSerializer(), new AvroSerializer());
        List<String> tickKeys = tickKeys(Topic.DECISIONS.partitions());
        ticker.scheduleAtFixedRate(() -> {
            Instant now = Instant.now();
            for (int p = 0; p < tickKeys.size(); p++) {
                producer.send(new ProducerRecord<>(Topic.DECISIONS.name(prefix), p, now.toEpochMilli(),
                        tickKeys.get(p), events.tick(tickKeys.get(p), now)), this::onSent);
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
    }

    /**
     * One step: {@code count} requests at {@code rate} per second from {@code startMillis}, impressions and clicks
     * placed as {@code placement} says.
     *
     * @return what was sent, and how late the latest event was sent
     */
    Sent run(int step, long startMillis, double rate, long count, double clickShare, Placement placement) {
        SplittableRandom random = new SplittableRandom(step);
        ArrayDeque<PendingClick> clicks = new ArrayDeque<>();
        double maxLag = 0;
        long clicked = 0;
        for (long i = 0; i < count; i++) {
            long due = startMillis + Math.round(i * 1000 / rate);
            sendDueClicks(clicks, due);
            long wait = due - System.currentTimeMillis();
            if (wait > 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wait));
            }
            maxLag = Math.max(maxLag, System.currentTimeMillis() - due);
            Decision decision = events.decision(step, i, Instant.ofEpochMilli(due), random);
            String key = decision.getRequestId();
            String candidate = decision.getChosen().get(0).getCandidateId();
            producer.send(new ProducerRecord<>(Topic.DECISIONS.name(prefix), null, due, key, decision), this::onSent);
            String impressions = Topic.IMPRESSIONS.name(prefix);
            long shownAt = due + IMPRESSION_AFTER_MILLIS;
            producer.send(new ProducerRecord<>(impressions, placement.partition(key, Topic.IMPRESSIONS.partitions()),
                    shownAt, key, new Impression(key, candidate, Instant.ofEpochMilli(shownAt))), this::onSent);
            if (random.nextDouble() < clickShare) {
                long clickAt = due + CLICK_AFTER_MILLIS;
                clicks.add(new PendingClick(clickAt, Topic.CLICKS.name(prefix),
                        placement.partition(key, Topic.CLICKS.partitions()), key,
                        new Click(key, candidate, Instant.ofEpochMilli(clickAt), null)));
                clicked++;
            }
            check();
        }
        while (!clicks.isEmpty()) {
            long wait = clicks.peek().dueMillis() - System.currentTimeMillis();
            if (wait > 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wait));
            }
            sendDueClicks(clicks, System.currentTimeMillis());
        }
        producer.flush();
        check();
        return new Sent(count, clicked, maxLag);
    }

    private void sendDueClicks(ArrayDeque<PendingClick> clicks, long now) {
        while (!clicks.isEmpty() && clicks.peek().dueMillis() <= now) {
            PendingClick c = clicks.poll();
            producer.send(new ProducerRecord<>(c.topic(), c.partition(), c.dueMillis(), c.key(), c.click()),
                    this::onSent);
        }
    }

    private void onSent(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
        if (e != null) {
            failure.compareAndSet(null, e);
        }
    }

    private void check() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("writing the load failed: " + e.getMessage(), e);
        }
    }

    /** For each partition of the decisions topic, a key the Java partitioner puts there (the learner's placement). */
    private static List<String> tickKeys(int partitions) {
        List<String> keys = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            for (int n = 0; ; n++) {
                String key = "tick-" + p + "-" + n;
                if (Utils.toPositive(Utils.murmur2(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        % partitions == p) {
                    keys.add(key);
                    break;
                }
            }
        }
        return keys;
    }

    /** Single-object Avro of any of the generated records, one serializer per type. */
    private static final class AvroSerializer implements org.apache.kafka.common.serialization.Serializer<SpecificRecord> {
        private final Map<Class<?>, org.apache.kafka.common.serialization.Serializer<SpecificRecord>> byType =
                new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        @SuppressWarnings("unchecked")
        public byte[] serialize(String topic, SpecificRecord record) {
            return byType.computeIfAbsent(record.getClass(), type -> AvroSerdes.registryless(
                    (Class<SpecificRecord>) type).serializer()).serialize(topic, record);
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
