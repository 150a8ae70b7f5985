package io.vitrine.loadtest.topic;

import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.loadtest.openloop.OpenLoopStep;
import io.vitrine.loadtest.openloop.Progress;
import io.vitrine.loadtest.openloop.StepResult;
import io.vitrine.schemas.AvroSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * An open-loop generator over Kafka: request i of a step is due at {@code start + i / rate}, is produced then
 * whatever the earlier ones did, and its latency counts from that intended time to the moment its answer (a record
 * keyed by its request id) is read back, so that a stall anywhere on the way shows in full (each step an
 * {@link OpenLoopStep}, as over HTTP). One producer and one reader serve every target, with Kafka's client defaults,
 * so that the raw round trip and the topic path differ only in what lies between the two topics.
 * <p>
 * The reader is assigned every partition of the answer topics and of {@code dead-letters} from the start (no group,
 * no rebalance in the middle of a step) and reads committed records only: the selector's topic path writes without
 * transactions today (at least once), where read committed reads the same as read uncommitted, and a selector run
 * with {@code exactly_once_v2} would otherwise show decisions it may still abort.
 */
public final class OpenLoopTopic implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(100);

    /** The step being measured and its target: what its answers add to. */
    private record Step(TopicTarget target, OpenLoopStep measured) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final String deadLetters;
    private final Deserializer<Decision> decisions = AvroSerdes.registryless(Decision.class).deserializer();
    private final Deserializer<DeadLetter> deadLetterReader = AvroSerdes.registryless(DeadLetter.class).deserializer();
    private final int maxInFlight;
    private final long timeoutNanos;
    /** Request id -> intended send time (System.nanoTime) of the requests of the running step not yet answered. */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    /** Target -> {bytes, answers} of the answers read (by the reader thread only). */
    private final Map<String, long[]> answerBytes = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile Step current;
    private volatile long lastRecord = System.nanoTime();
    private volatile RuntimeException failure;

    /**
     * @param targets     what the steps will send to; their answer topics must exist
     * @param deadLetters the dead-letter topic: a request the selector refused is answered there
     * @param maxInFlight requests sent and not answered at most; a request due beyond it is not sent and counts as
     *                    an error ({@code backlog})
     * @param timeout     an answer later than this after the request's intended time counts as an error
     *                    ({@code late answer}); none this long after the step's last request: {@code no answer}
     */
    public OpenLoopTopic(String bootstrap, List<TopicTarget> targets, String deadLetters, int maxInFlight,
                         Duration timeout) {
        this.deadLetters = deadLetters;
        this.maxInFlight = maxInFlight;
        this.timeoutNanos = timeout.toNanos();
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "topic-load-requests"), new StringSerializer(),
                new ByteArraySerializer());
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "topic-load-answers",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new ByteArrayDeserializer());
        Set<String> topics = new LinkedHashSet<>();
        targets.forEach(t -> topics.add(t.answerTopic()));
        topics.add(deadLetters);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                consumer.close();
                producer.close();
                throw new IllegalStateException("topic " + topic + " does not exist on " + bootstrap);
            }
            infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the ends now, before any request is sent
        reader = new Thread(this::read, "topic-load-answers");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Produces {@code requests} to the target at {@code rate} per second for {@code duration}, then waits for the
     * answers still out, at most the timeout.
     *
     * @param step the step's number, which makes its request ids its own
     */
    public StepResult run(TopicTarget target, int rate, Duration duration, int step, RequestRecords requests,
                          Progress progress) throws InterruptedException {
        check();
        OpenLoopStep measured = new OpenLoopStep(target.name(), rate, duration, progress);
        pending.clear();
        current = new Step(target, measured);
        measured.send(pending::size, maxInFlight, (i, intended) -> {
            String id = requests.requestId(step, i);
            byte[] value = requests.value(id, i, System.currentTimeMillis());
            pending.put(id, intended);
            producer.send(new ProducerRecord<>(target.requestTopic(), id, value), (metadata, e) -> {
                if (e != null && pending.remove(id) != null) {
                    measured.error("not sent: " + e.getClass().getSimpleName());
                    first(target.name() + " not sent", target.name() + ": a request could not be sent: " + e);
                }
            });
        });
        long deadline = measured.end() + timeoutNanos;
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
            check();
        }
        current = null;
        long missing = pending.size();
        pending.clear();
        return measured.result(missing);
    }

    /**
     * Waits until no record has reached the answer topics for {@code quiet} (at most {@code atMost}): a service still
     * working off an earlier step's backlog would take the machine from the next step.
     *
     * @return whether it got quiet in time
     */
    public boolean settle(Duration quiet, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() - lastRecord < quiet.toNanos()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
            check();
        }
        return true;
    }

    private void read() {
        try {
            while (true) {
                var records = consumer.poll(POLL);
                long now = System.nanoTime();
                if (!records.isEmpty()) {
                    lastRecord = now;
                }
                Step step = current;
                if (step == null) {
                    continue;
                }
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (record.topic().equals(deadLetters)) {
                        onDeadLetter(step, record);
                    } else if (record.topic().equals(step.target().answerTopic())) {
                        onAnswer(step, record, now);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void onAnswer(Step step, ConsumerRecord<String, byte[]> record, long now) {
        Long intended = record.key() == null ? null : pending.remove(record.key());
        if (intended == null) {
            return; // an earlier step's, or a decision of another caller
        }
        long latencyNanos = now - intended;
        String wrong = step.target().roundTrip() ? null : wrongDecision(record);
        if (wrong != null) {
            step.measured().error("wrong answer");
            first(step.target().name() + " wrong", step.target().name() + ": first wrong answer to " + record.key()
                    + ": " + wrong);
        } else if (latencyNanos > timeoutNanos) {
            step.measured().error("late answer");
        } else {
            step.measured().ok(latencyNanos);
            answerBytes.computeIfAbsent(step.target().name(), k -> new long[2]);
            long[] sizes = answerBytes.get(step.target().name());
            sizes[0] += record.serializedValueSize();
            sizes[1]++;
        }
        step.measured().answeredAt(now);
    }

    /** Null for a decision of this request that chose something, else what is wrong with it. */
    private String wrongDecision(ConsumerRecord<String, byte[]> record) {
        Decision decision;
        try {
            decision = decisions.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            return "not a decision: " + e.getMessage();
        }
        if (decision == null) {
            return "no value";
        }
        if (!record.key().equals(decision.getRequestId())) {
            return "the decision of request " + decision.getRequestId();
        }
        if (decision.getChosen().isEmpty() || !decision.getChosen().stream()
                .allMatch(c -> c.getPropensity() >= 0 && c.getPropensity() <= 1)) {
            return "no choice with a propensity: " + decision.getChosen();
        }
        return null;
    }

    private void onDeadLetter(Step step, ConsumerRecord<String, byte[]> record) {
        DeadLetter letter = deadLetterReader.deserialize(record.topic(), record.value());
        String id = letter == null || letter.getKey() == null ? record.key()
                : StandardCharsets.UTF_8.decode(letter.getKey().duplicate()).toString();
        if (id == null || pending.remove(id) == null) {
            return;
        }
        step.measured().error("dead letter " + letter.getReason());
        first(step.target().name() + " dead " + letter.getReason(), step.target().name()
                + ": first dead letter, request " + id + ": " + letter.getReason() + ": " + letter.getDetail());
    }

    private void first(String kind, String message) {
        if (reported.add(kind)) {
            System.err.println(message);
        }
    }

    /** Mean size of a target's answers so far, bytes; NaN without answers. Call between steps. */
    public double meanAnswerBytes(String target) {
        long[] sizes = answerBytes.get(target);
        return sizes == null || sizes[1] == 0 ? Double.NaN : sizes[0] / (double) sizes[1];
    }

    /** Throws what stopped the reader, if anything did. */
    private void check() {
        if (failure != null) {
            throw new IllegalStateException("reading the answers failed: " + failure.getMessage(), failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        producer.close(Duration.ofSeconds(5));
        consumer.wakeup();
        reader.join(10_000);
    }
}
