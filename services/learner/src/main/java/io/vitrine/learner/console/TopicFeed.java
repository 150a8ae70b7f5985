package io.vitrine.learner.console;

import io.vitrine.service.encoders.TopicFollower;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Follows a topic ({@code rewards}, {@code decisions}) for the console, committed records only, without a consumer
 * group (every instance sees every slot), while {@code follow} says so. Each time it starts following it reads from
 * at most {@code history} records before each partition's end, and never a record it already read: the console needs
 * the last minutes, not the whole log, and counts each record once. While not following, the partitions are paused:
 * nothing is fetched or decoded. A record that does not decode is skipped (the topology's dead-letter handler already
 * reports it).
 */
final class TopicFeed<V> implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TopicFeed.class);
    private static final Duration POLL = Duration.ofMillis(250);

    /** A wait for the feed to have read up to the partitions' ends as they were when the feed took it up. */
    private record CatchUp(CompletableFuture<Void> done, Map<TopicPartition, Long> ends) {
    }

    private final KafkaConsumer<String, V> consumer;
    private final String topic;
    private final long history;
    private final BooleanSupplier follow;
    private final Consumer<V> onRecord;
    private final Thread thread;
    private final AtomicReference<CatchUp> catchUp = new AtomicReference<>();
    /** The next offset to read per partition, once the feed has followed it (read by the feed's thread only). */
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private volatile boolean running = true;
    private volatile boolean following;

    TopicFeed(Map<String, Object> kafka, String topic, Deserializer<V> values, long history, BooleanSupplier follow,
              Consumer<V> onRecord, String threadName) {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new Lenient<>(values));
        this.topic = topic;
        this.history = history;
        this.follow = follow;
        this.onRecord = onRecord;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Whether the feed is reading the topic now. */
    boolean following() {
        return following;
    }

    /**
     * Waits until the feed has read every record committed before this call (once it follows the topic), at most
     * {@code timeout}; true when it has.
     */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        CatchUp wait = catchUp.updateAndGet(current -> current != null && !current.done().isDone() ? current
                : new CatchUp(new CompletableFuture<>(), null));
        try {
            wait.done().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        }
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            consumer.pause(partitions);
            while (running) {
                boolean wanted = follow.getAsBoolean();
                if (wanted && !following) {
                    resume(partitions);
                } else if (!wanted && following) {
                    pause(partitions);
                }
                for (ConsumerRecord<String, V> record : consumer.poll(POLL)) {
                    if (record.value() != null) {
                        onRecord.accept(record.value());
                    }
                }
                if (following) {
                    checkCatchUp(partitions);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "reading %s for the console failed; the console's charts stop until a restart", topic);
        } finally {
            CatchUp wait = catchUp.get();
            if (wait != null) {
                wait.done().completeExceptionally(new IllegalStateException("the console's feed stopped"));
            }
            consumer.close();
        }
    }

    private void resume(List<TopicPartition> partitions) {
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        for (TopicPartition p : partitions) {
            long from = Math.max(begin.get(p), end.get(p) - history);
            consumer.seek(p, Math.max(from, next.getOrDefault(p, from)));
        }
        consumer.resume(partitions);
        following = true;
        LOG.debugf("the console follows %s", topic);
    }

    private void pause(List<TopicPartition> partitions) {
        for (TopicPartition p : partitions) {
            next.put(p, consumer.position(p));
        }
        consumer.pause(partitions);
        following = false;
        LOG.debugf("the console stopped following %s: nobody used it for a while", topic);
    }

    private void checkCatchUp(List<TopicPartition> partitions) {
        CatchUp wait = catchUp.get();
        if (wait == null || wait.done().isDone()) {
            return;
        }
        if (wait.ends() == null) {
            // Taken up here, on the consumer's thread: the ends as of now, past every record committed before the call.
            CatchUp targeted = new CatchUp(wait.done(), consumer.endOffsets(partitions));
            if (!catchUp.compareAndSet(wait, targeted)) {
                return;
            }
            wait = targeted;
        }
        for (Map.Entry<TopicPartition, Long> end : wait.ends().entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return;
            }
        }
        wait.done().complete(null);
    }

    private List<TopicPartition> partitions() throws WakeupException {
        return TopicFollower.awaitPartitions(consumer, topic, () -> running, () -> { });
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }

    /** Null for a record that does not decode, so that one bad record does not stop the console. */
    private record Lenient<V>(Deserializer<V> inner) implements Deserializer<V> {
        @Override
        public V deserialize(String topic, byte[] data) {
            try {
                return inner.deserialize(topic, data);
            } catch (RuntimeException e) {
                return null;
            }
        }

        @Override
        public V deserialize(String topic, org.apache.kafka.common.header.Headers headers, byte[] data) {
            try {
                return inner.deserialize(topic, headers, data);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}
