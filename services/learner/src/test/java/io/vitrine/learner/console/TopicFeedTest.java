package io.vitrine.learner.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.kafka.SharedLocalKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The console's feed on the shared in-JVM broker: it reads nothing while not following, reads back its history when
 * it starts, never reads a record twice across a pause, skips what fell out of its history meanwhile, and a wait for
 * it to catch up returns once every record committed before the wait is read.
 */
class TopicFeedTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void readsOnlyWhileFollowingFromItsHistoryAndNeverTwice() throws Exception {
        String bootstrap = SharedLocalKafka.bootstrapServers();
        String topic = newTopic(bootstrap, "feed-");
        AtomicBoolean follow = new AtomicBoolean(false);
        List<String> read = new CopyOnWriteArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer());
             TopicFeed<String> feed = new TopicFeed<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                     topic, new StringDeserializer(), 5, follow::get, read::add, "test-feed")) {
            send(producer, topic, 0, 8);
            feed.start();
            Thread.sleep(1_000);
            assertFalse(feed.following());
            assertEquals(List.of(), read, "not following: nothing is read");

            follow.set(true);
            assertTrue(feed.awaitCaughtUp(WAIT));
            assertTrue(feed.following());
            assertEquals(names(3, 8), read, "the last 5 records (the history), not the 8");

            send(producer, topic, 8, 10);
            assertTrue(feed.awaitCaughtUp(WAIT));
            assertEquals(names(3, 10), read);

            follow.set(false);
            waitUntil(() -> !feed.following());
            send(producer, topic, 10, 12);
            Thread.sleep(1_000);
            assertEquals(names(3, 10), read, "paused: the new records wait");

            follow.set(true);
            assertTrue(feed.awaitCaughtUp(WAIT));
            assertEquals(names(3, 12), read, "resumed where it stopped: nothing twice, nothing lost within history");

            follow.set(false);
            waitUntil(() -> !feed.following());
            send(producer, topic, 12, 30);
            follow.set(true);
            assertTrue(feed.awaitCaughtUp(WAIT));
            List<String> expected = new java.util.ArrayList<>(names(3, 12));
            expected.addAll(names(25, 30));
            assertEquals(expected, read, "what fell out of the history while paused is skipped");
        }
    }

    @Test
    void aWaitForTheFeedToCatchUpEndsWhenItNeverFollows() throws Exception {
        String bootstrap = SharedLocalKafka.bootstrapServers();
        String topic = newTopic(bootstrap, "feed-idle-");
        try (TopicFeed<String> feed = new TopicFeed<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                topic, new StringDeserializer(), 5, () -> false, value -> { }, "test-feed-idle")) {
            feed.start();
            assertFalse(feed.awaitCaughtUp(Duration.ofMillis(500)), "not following: the wait times out");
        }
    }

    /** A topic of one partition, its name unique to this run. */
    private static String newTopic(String bootstrap, String prefix) throws Exception {
        String topic = prefix + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        return topic;
    }

    private static void send(KafkaProducer<String, String> producer, String topic, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>(topic, 0, "k" + i, "v" + i)).get();
        }
    }

    private static List<String> names(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "v" + i).toList();
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + WAIT);
            Thread.sleep(20);
        }
    }
}
