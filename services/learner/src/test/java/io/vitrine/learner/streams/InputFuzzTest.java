package io.vitrine.learner.streams;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.learner.control.LearningGate;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import io.vitrine.service.RecordDamage;
import io.vitrine.service.RecordedDeadLetters;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.lifecycle.BeforeTry;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A structure-aware, property-based fuzz of the learner's input topics ({@code decisions}, {@code impressions} and
 * {@code clicks} in Avro and in JSON, {@code rewards}) through its real topology. jqwik generates a try: valid
 * stories (a decision, its impression, maybe a click) interleaved in a generated order with records built valid and
 * then damaged: bytes (tombstone, empty, random, truncated, a wrong marker or fingerprint, a huge length prefix, a
 * flipped bit, trailing bytes), structure (a JSON field dropped, retyped, duplicated, wrapped, unknown; a top-level
 * array; long unicode ids; invalid UTF-8) and meaning (non-finite or empty or mixed embeddings, propensities outside
 * (0, 1], values outside the reward rule, impressions nobody decided or of a candidate not chosen, rewards under the
 * wrong key or of another dimension, extreme times, huge embeddings).
 *
 * <p>Checked after each try, once stream time has passed every window and grace: no record stopped the stream thread
 * (any exception out of the driver fails the property, and jqwik shrinks it to a minimal try); every record that is
 * bad by construction became exactly one dead letter with a reason and a detail; a damage that may leave a record
 * valid (a flipped bit, trailing bytes, an unknown field) gave at most one; no record of a valid story became a dead
 * letter, and every story became exactly one reward of the right kind.
 *
 * <p>Undecodable records go to the Streams deserialization handler: in the service that is {@code DeadLetterHandler},
 * which writes to Kafka; here {@link RecordedDeadLetters} keeps the same letter in memory (the end-to-end
 * {@code FuzzTest} runs the real one). Tries: {@code vitrine.fuzz.tries} in the module's pom (jqwik's
 * {@code jqwik.tries.default}), or {@code -Dvitrine.fuzz.tries=N}.
 */
class InputFuzzTest {

    private static final String PREFIX = "fuzz.";
    private static final Instant T0 = Instant.parse("2026-12-07T00:00:00Z");
    private static final Duration WINDOW = Duration.ofSeconds(10);
    /** Held events wait this long in event time and in running time (the wall-clock punctuations' paced time). */
    private static final Duration HOLD = Duration.ofSeconds(2);
    /** Each try owns an hour of event time: its windows and holds all end well inside it. */
    private static final Duration TRY_SPAN = Duration.ofHours(1);
    private static final String SLOT = "fuzz/hero";
    private static final String SCOPE = SLOT + "@enc";
    private static final int DIMENSION = 4;

    /** Which input a damaged record was meant for. */
    enum Kind { DECISION, IMPRESSION, IMPRESSION_JSON, CLICK, CLICK_JSON, REWARD }

    /**
     * A damage and what it must lead to: the reasons one dead letter may give, or none for a damage that may leave
     * the record valid (at most one dead letter then).
     */
    enum Damage {
        TOMBSTONE(Set.of("empty-value", "invalid-reward"), Kind.values()),
        NO_KEY(Set.of("missing-key", "invalid-reward"), Kind.values()),
        EMPTY(Set.of("undecodable"), Kind.values()),
        RANDOM_BYTES(Set.of("undecodable"), Kind.values()),
        TRUNCATED(Set.of("undecodable"), Kind.values()),
        WRONG_MARKER(Set.of("undecodable"), Kind.DECISION, Kind.IMPRESSION, Kind.CLICK, Kind.REWARD),
        WRONG_FINGERPRINT(Set.of("undecodable"), Kind.DECISION, Kind.IMPRESSION, Kind.CLICK, Kind.REWARD),
        HUGE_LENGTH(Set.of("undecodable"), Kind.DECISION, Kind.IMPRESSION, Kind.CLICK, Kind.REWARD),
        FLIPPED_BIT(Set.of(), Kind.DECISION, Kind.IMPRESSION, Kind.CLICK, Kind.REWARD),
        TRAILING_BYTES(Set.of(), Kind.DECISION, Kind.IMPRESSION, Kind.CLICK, Kind.REWARD),
        EXTREME_TIME(Set.of(), Kind.DECISION, Kind.IMPRESSION, Kind.IMPRESSION_JSON, Kind.CLICK, Kind.CLICK_JSON),
        TIME_OUT_OF_RANGE(Set.of("invalid-time", "undecodable"), Kind.DECISION, Kind.IMPRESSION, Kind.IMPRESSION_JSON,
                Kind.CLICK, Kind.CLICK_JSON),
        NON_FINITE_EMBEDDING(Set.of("invalid-decision", "invalid-reward"), Kind.DECISION, Kind.REWARD),
        EMPTY_EMBEDDING(Set.of("invalid-decision", "invalid-reward"), Kind.DECISION, Kind.REWARD),
        HUGE_EMBEDDING(Set.of("invalid-decision", "invalid-reward"), Kind.DECISION, Kind.REWARD),
        MIXED_DIMENSIONS(Set.of("invalid-decision"), Kind.DECISION),
        BAD_PROPENSITY(Set.of("invalid-decision"), Kind.DECISION),
        NOTHING_CHOSEN(Set.of("invalid-decision"), Kind.DECISION),
        UNKNOWN_DECISION(Set.of("unknown-decision"), Kind.IMPRESSION, Kind.IMPRESSION_JSON),
        UNCHOSEN_CANDIDATE(Set.of("unknown-candidate"), Kind.IMPRESSION, Kind.IMPRESSION_JSON),
        BAD_VALUE(Set.of("invalid-value", "undecodable"), Kind.CLICK, Kind.CLICK_JSON),
        NON_FINITE_REWARD(Set.of("invalid-reward"), Kind.REWARD),
        WRONG_KEY(Set.of("invalid-reward"), Kind.REWARD),
        OTHER_DIMENSION(Set.of("dimension-mismatch"), Kind.REWARD),
        FIELD_DROPPED(Set.of("undecodable"), Kind.IMPRESSION_JSON, Kind.CLICK_JSON),
        FIELD_RETYPED(Set.of("undecodable"), Kind.IMPRESSION_JSON, Kind.CLICK_JSON),
        FIELD_DUPLICATED(Set.of("undecodable"), Kind.IMPRESSION_JSON, Kind.CLICK_JSON),
        WRAPPED(Set.of("undecodable"), Kind.IMPRESSION_JSON, Kind.CLICK_JSON),
        TOP_LEVEL_ARRAY(Set.of("undecodable"), Kind.IMPRESSION_JSON, Kind.CLICK_JSON),
        INVALID_UTF8(Set.of("undecodable"), Kind.IMPRESSION_JSON, Kind.CLICK_JSON),
        UNKNOWN_FIELD(Set.of(), Kind.IMPRESSION_JSON, Kind.CLICK_JSON),
        LONG_UNICODE_ID(Set.of(), Kind.IMPRESSION_JSON, Kind.CLICK_JSON);

        final Set<String> reasons;
        final Set<Kind> kinds;

        Damage(Set<String> reasons, Kind... kinds) {
            this.reasons = reasons;
            this.kinds = Set.of(kinds);
        }

        boolean certain() {
            return !reasons.isEmpty();
        }
    }

    /** What a try is made of. */
    sealed interface Spec {
    }

    /** A valid decision among {@code candidates}, an impression of the chosen one, and maybe a click with a value. */
    record Story(int candidates, boolean clicked, Double value, boolean impressionJson, boolean clickJson)
            implements Spec {
    }

    /** A record of {@code kind} built valid, then damaged; {@code at} and {@code text} steer where and how. */
    record Damaged(Kind kind, Damage damage, int at, String text) implements Spec {
    }

    /** A record as piped, and what its key may show in the dead letters. */
    private record Sent(Topic topic, String key, byte[] value, Instant at, Spec spec) {
    }

    private final WireFormat wire = new WireFormat.SingleObject();
    private final List<DeadLetter> recorded = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> lettersByReason = new TreeMap<>();
    private final Map<Damage, Integer> damages = new EnumMap<>(Damage.class);
    private TopologyTestDriver driver;
    private Map<Topic, TestInputTopic<byte[], byte[]>> inputs;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private TestOutputTopic<String, Reward> rewards;
    private long tries;
    private long ids;
    private long records;
    private long stories;
    /** Dead letters that may come from damages that can leave a record valid, and how many such records were sent. */
    private long uncertainLetters;
    private long uncertainRecords;
    private long started;

    @BeforeProperty
    void startClock() {
        started = System.nanoTime();
    }

    /** A fresh driver for the first try and after any failure: a failed try leaves no state behind for the next. */
    @BeforeTry
    void startDriver() throws Exception {
        if (driver != null) {
            return;
        }
        var settings = new LearnerTopology.Settings(PREFIX, WINDOW, Duration.ZERO, TRY_SPAN, Duration.ofSeconds(5),
                HOLD, 0.0, ClickRewardTiming.WINDOW_END, Duration.ofSeconds(1), NigPrior.DEFAULT,
                Forgetting.halfLife(3));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "learner-fuzz");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        // RocksDB flushes its stores at every commit, and the driver commits after every record: in memory if we can.
        Path shm = Path.of("/dev/shm");
        props.put(StreamsConfig.STATE_DIR_CONFIG, (Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "learner-fuzz") : Files.createTempDirectory("learner-fuzz")).toString());
        props.putAll(RecordedDeadLetters.settings(LearnerTopology.SERVICE, recorded));
        driver = new TopologyTestDriver(LearnerTopology.build(settings, wire,
                new LearnerMetrics(new SimpleMeterRegistry()), () -> 1, version -> false, LearningGate.open(),
                partition -> false), props, T0);
        inputs = new EnumMap<>(Topic.class);
        for (Topic topic : List.of(Topic.DECISIONS, Topic.IMPRESSIONS, Topic.CLICKS, Topic.REWARDS)) {
            inputs.put(topic, driver.createInputTopic(topic.name(PREFIX), new ByteArraySerializer(),
                    new ByteArraySerializer()));
        }
        deadLetters = driver.createOutputTopic(Topic.DEAD_LETTERS.name(PREFIX), Serdes.String().deserializer(),
                wire.serde(DeadLetter.class).deserializer());
        rewards = driver.createOutputTopic(Topic.REWARDS.name(PREFIX), Serdes.String().deserializer(),
                wire.serde(Reward.class).deserializer());
        // The stories' scope learns dimension DIMENSION first, so that a reward of another one is a mismatch.
        Instant at = T0.plus(TRY_SPAN.multipliedBy(tries));
        pipe(new Sent(Topic.REWARDS, SLOT, encode(reward("seed-" + tries, SCOPE, embedding(DIMENSION, 0.5f), 1.0, at)),
                at, null));
    }

    @AfterProperty
    void report() {
        if (driver != null) {
            driver.close();
            driver = null;
        }
        System.out.printf("learner input fuzz: %,d tries, %,d records (%,d in %,d valid stories), %.1f s;"
                        + " dead letters by reason %s; damaged records %s; %,d dead letters of %,d records whose damage"
                        + " may leave them valid%n", tries, records, 3 * stories, stories,
                (System.nanoTime() - started) / 1e9, lettersByReason, damages, uncertainLetters, uncertainRecords);
    }

    /**
     * Found by this fuzz, each as a one-record try: an impression at the largest long (JSON) overflowed its hold's
     * deadline, and one at the smallest (Avro) got a negative timestamp on its dead letter, which Kafka refuses; both
     * stopped the stream thread.
     */
    @Example
    void eventTimesBefore1970OrAfter9999AreDeadLettersNotAStoppedStreamThread() {
        everyBadRecordIsOneDeadLetterWithItsReasonAndEveryStoryIsRewarded(List.of(
                new Damaged(Kind.IMPRESSION_JSON, Damage.TIME_OUT_OF_RANGE, 2, ""),
                new Damaged(Kind.IMPRESSION, Damage.TIME_OUT_OF_RANGE, 0, ""),
                new Damaged(Kind.CLICK, Damage.TIME_OUT_OF_RANGE, 1, ""),
                new Damaged(Kind.DECISION, Damage.TIME_OUT_OF_RANGE, 4, ""),
                new Story(1, true, null, false, false)), 0L);
    }

    /**
     * Found by this fuzz: a reward of 1,000 dimensions on a new scope was learned (statistics of 8 MB, a changelog
     * record past Kafka's default limit); from 46,341 on, d * d overflowed and stopped the stream thread.
     */
    @Example
    void embeddingsLargerThanAPosteriorHoldsAreDeadLetters() {
        everyBadRecordIsOneDeadLetterWithItsReasonAndEveryStoryIsRewarded(List.of(
                new Damaged(Kind.REWARD, Damage.HUGE_EMBEDDING, 1, ""),
                new Damaged(Kind.REWARD, Damage.HUGE_EMBEDDING, 2, ""),
                new Damaged(Kind.DECISION, Damage.HUGE_EMBEDDING, 0, ""),
                new Story(2, true, 0.5, true, true)), 0L);
    }

    @Property
    void everyBadRecordIsOneDeadLetterWithItsReasonAndEveryStoryIsRewarded(@ForAll("tries") List<Spec> specs,
                                                                           @ForAll long order) {
        Instant base = T0.plus(TRY_SPAN.multipliedBy(++tries));
        List<Sent> sent = new ArrayList<>();
        Map<String, List<Spec>> byKey = new HashMap<>();
        for (Spec spec : specs) {
            List<Sent> made = spec instanceof Story story ? story(story, base) : damaged((Damaged) spec, base);
            sent.addAll(made);
            byKey.computeIfAbsent(made.get(made.size() - 1).key(), k -> new ArrayList<>()).add(spec);
        }
        // Events arrive in any order: the learner holds an impression for its decision and a click for its impression.
        Collections.shuffle(sent, new Random(order));
        List<DeadLetter> letters = new ArrayList<>();
        int keyless = 0;
        int keylessExpected = 0;
        try {
            for (Sent record : sent) {
                pipe(record);
                if (record.key() == null) {
                    keylessExpected++;
                }
                for (DeadLetter letter : drain()) {
                    if (letter.getKey() == null) {
                        keyless++;
                    } else {
                        letters.add(letter);
                    }
                }
            }
            // Past every window and grace: the held impressions nobody decided become dead letters, windows rewards.
            Instant end = base.plus(TRY_SPAN.dividedBy(2));
            pipe(new Sent(Topic.DECISIONS, "tick-" + tries, encode(decision("tick-" + tries, 2, end)), end, null));
            for (long s = 0; s <= HOLD.toSeconds() + 1; s++) {
                driver.advanceWallClockTime(AttributionProcessor.QUIET_TICK);
            }
            letters.addAll(drain());
        } catch (RuntimeException | Error e) {
            driver.close();
            driver = null;
            throw e;
        }
        records += sent.size() + 1;

        check(keyless == keylessExpected, "%d dead letters without key for %d records without key", keyless,
                keylessExpected);
        Map<String, List<DeadLetter>> lettersByKey = new HashMap<>();
        for (DeadLetter letter : letters) {
            lettersByKey.computeIfAbsent(DeadLetters.keyOf(letter), k -> new ArrayList<>()).add(letter);
        }
        for (Map.Entry<String, List<DeadLetter>> entry : lettersByKey.entrySet()) {
            List<Spec> specsOfKey = byKey.getOrDefault(entry.getKey(), List.of());
            if (specsOfKey.isEmpty() || (specsOfKey.get(0) instanceof Damaged damaged && !damaged.damage().certain())) {
                uncertainLetters += entry.getValue().size(); // a flipped bit may have changed the id the letter names
            } else if (specsOfKey.get(0) instanceof Story) {
                check(false, "a valid story's record became a dead letter: %s", entry.getValue());
            }
        }
        for (Map.Entry<String, List<Spec>> entry : byKey.entrySet()) {
            if (entry.getKey() == null || !(entry.getValue().get(0) instanceof Damaged damaged)
                    || !damaged.damage().certain()) {
                continue;
            }
            List<DeadLetter> got = lettersByKey.getOrDefault(entry.getKey(), List.of());
            check(got.size() == entry.getValue().size(), "%d dead letters for %s: %s", got.size(), entry.getValue(),
                    got);
            for (DeadLetter letter : got) {
                check(damaged.damage().reasons.contains(letter.getReason()), "%s became a dead letter '%s' (%s),"
                        + " expected one of %s", damaged, letter.getReason(), letter.getDetail(),
                        damaged.damage().reasons);
            }
        }
        for (DeadLetter letter : letters) {
            check(letter.getSourceTopic() != null && letter.getOffset() != null && !letter.getReason().isBlank()
                    && letter.getDetail() != null && !letter.getDetail().isBlank(), "a dead letter without source,"
                    + " reason or detail: %s", letter);
            lettersByReason.merge(letter.getReason(), 1, Integer::sum);
        }
        lettersByReason.merge("(without key)", keyless, Integer::sum);
        check(uncertainLetters <= uncertainRecords, "%d dead letters from %d records whose damage may leave them"
                + " valid", uncertainLetters, uncertainRecords);

        Map<String, List<Reward>> rewardsByRequest = new HashMap<>();
        for (Reward reward : rewards.readValuesToList()) {
            rewardsByRequest.computeIfAbsent(reward.getRequestId(), k -> new ArrayList<>()).add(reward);
        }
        for (Map.Entry<String, List<Spec>> entry : byKey.entrySet()) {
            if (entry.getValue().get(0) instanceof Story story) {
                List<Reward> got = rewardsByRequest.getOrDefault(entry.getKey(), List.of());
                check(got.size() == 1, "story %s of %s gave %d rewards: %s", entry.getKey(), story, got.size(), got);
                Reward reward = got.get(0);
                check(reward.getKind() == (story.clicked() ? RewardKind.CLICK : RewardKind.NO_CLICK)
                                && reward.getReward() == (story.clicked() ? RewardRule.DEFAULT.reward(story.value())
                                : 0.0), "story %s of %s gave %s", entry.getKey(), story, reward);
            }
        }
    }

    // ---- generators ----

    @Provide
    Arbitrary<List<Spec>> tries() {
        Arbitrary<Spec> story = Combinators.combine(Arbitraries.integers().between(1, 4), Arbitraries.of(true, false),
                Arbitraries.doubles().between(0, 1).injectNull(0.5), Arbitraries.of(true, false),
                Arbitraries.of(true, false)).as(Story::new);
        Arbitrary<Spec> damaged = Arbitraries.of(Kind.class).flatMap(kind -> Combinators.combine(
                Arbitraries.of(java.util.Arrays.stream(Damage.values()).filter(d -> d.kinds.contains(kind)).toList())
                        .withoutEdgeCases(),
                Arbitraries.integers().between(0, 100_000),
                Arbitraries.strings().all().ofMinLength(0).ofMaxLength(40))
                .as((damage, at, text) -> new Damaged(kind, damage, at, text)));
        return Arbitraries.frequencyOf(Tuple.of(1, story), Tuple.of(2, damaged)).list().ofMinSize(1).ofMaxSize(30);
    }

    // ---- records ----

    private List<Sent> story(Story story, Instant base) {
        stories++;
        String id = "s" + (++ids);
        Instant decided = base.plusMillis(ids % 1000);
        List<Sent> out = new ArrayList<>();
        Decision decision = decision(id, story.candidates(), decided);
        String shown = decision.getChosen().get(0).getCandidateId();
        out.add(new Sent(Topic.DECISIONS, id, encode(decision), decided, story));
        Instant seen = decided.plusMillis(200);
        out.add(new Sent(Topic.IMPRESSIONS, id, story.impressionJson() ? json(id, shown, seen, null, false)
                : encode(new Impression(id, shown, seen)), seen, story));
        if (story.clicked()) {
            Instant clicked = seen.plusSeconds(2);
            out.add(new Sent(Topic.CLICKS, id, story.clickJson() ? json(id, shown, clicked, story.value(), true)
                    : encode(new Click(id, shown, clicked, story.value())), clicked, story));
        }
        return out;
    }

    private List<Sent> damaged(Damaged spec, Instant base) {
        damages.merge(spec.damage(), 1, Integer::sum);
        // Ids of damaged records differ in at least two bits from stories' ids ('b' and 'm' against 's'): a flipped
        // bit cannot turn a damaged record into a story's.
        String id = (spec.damage().certain() ? "b" : "m") + (++ids);
        if (!spec.damage().certain()) {
            uncertainRecords++;
        }
        Instant at = base.plusMillis(ids % 1000);
        int n = spec.at();
        Kind kind = spec.kind();
        Topic topic = switch (kind) {
            case DECISION -> Topic.DECISIONS;
            case IMPRESSION, IMPRESSION_JSON -> Topic.IMPRESSIONS;
            case CLICK, CLICK_JSON -> Topic.CLICKS;
            case REWARD -> Topic.REWARDS;
        };
        String badScope = "fuzz/bad-" + id + "@enc";
        String key = kind == Kind.REWARD ? "fuzz/bad-" + id : id;
        List<Sent> out = new ArrayList<>();
        byte[] value = switch (spec.damage()) {
            case NON_FINITE_EMBEDDING, EMPTY_EMBEDDING, HUGE_EMBEDDING -> {
                List<Float> z = switch (spec.damage()) {
                    case NON_FINITE_EMBEDDING -> {
                        List<Float> values = new ArrayList<>(embedding(DIMENSION, 0.5f));
                        values.set(n % DIMENSION, List.of(Float.NaN, Float.POSITIVE_INFINITY,
                                Float.NEGATIVE_INFINITY).get(n % 3));
                        yield values;
                    }
                    case EMPTY_EMBEDDING -> List.of();
                    default -> embedding(hugeDimension(n), 0.001f);
                };
                yield kind == Kind.DECISION ? encode(decision(id, List.of(chosen("a", 0.5, z)), at))
                        : encode(reward(id, badScope, z, 1.0, at));
            }
            case MIXED_DIMENSIONS -> encode(decision(id, List.of(chosen("a", 0.5, embedding(DIMENSION, 0.1f)),
                    chosen("b", 0.5, embedding(DIMENSION + 1 + n % 3, 0.1f))), at));
            case BAD_PROPENSITY -> encode(decision(id, List.of(chosen("a", List.of(0.0, -0.5, 1.0000001, Double.NaN,
                    Double.POSITIVE_INFINITY).get(n % 5), embedding(DIMENSION, 0.1f))), at));
            case NOTHING_CHOSEN -> encode(decision(id, List.of(), at));
            case UNCHOSEN_CANDIDATE -> {
                Decision decision = decision(id, 2, at);
                out.add(new Sent(Topic.DECISIONS, id, encode(decision), at, spec));
                yield kind == Kind.IMPRESSION ? encode(new Impression(id, "not-chosen", at.plusMillis(100)))
                        : json(id, "not-chosen", at.plusMillis(100), null, false);
            }
            case BAD_VALUE -> {
                double bad = List.of(Double.NaN, Double.POSITIVE_INFINITY, -0.001, 1.5, -1e300, 1e300).get(n % 6);
                yield kind == Kind.CLICK ? encode(new Click(id, "a", at, bad)) : jsonValue(id, at, bad);
            }
            case NON_FINITE_REWARD -> encode(reward(id, badScope, embedding(DIMENSION, 0.5f),
                    List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY).get(n % 3), at));
            case WRONG_KEY -> encode(reward(id, "fuzz/elsewhere@enc", embedding(DIMENSION, 0.5f), 1.0, at));
            case OTHER_DIMENSION -> {
                // The stories' scope and key (every such record of a try shares the key), another dimension.
                key = SLOT;
                yield encode(reward(id, SCOPE, embedding(DIMENSION + 1 + n % 3, 0.5f), 1.0, at));
            }
            case EXTREME_TIME, TIME_OUT_OF_RANGE -> {
                Instant extreme = Instant.ofEpochMilli(spec.damage() == Damage.EXTREME_TIME
                        ? List.of(0L, AttributionProcessor.LATEST_EVENT_TIME.toEpochMilli()).get(n % 2)
                        : List.of(Long.MIN_VALUE, -1L, Long.MAX_VALUE, Long.MAX_VALUE - 1_000,
                                AttributionProcessor.LATEST_EVENT_TIME.toEpochMilli() + 1).get(n % 5));
                yield switch (kind) {
                    case DECISION -> encode(decision(id, 2, extreme));
                    case IMPRESSION -> encode(new Impression(id, "a", extreme));
                    case CLICK -> encode(new Click(id, "a", extreme, null));
                    default -> ("{\"requestId\":\"" + id + "\",\"candidateId\":\"a\",\"timestamp\":"
                            + extreme.toEpochMilli() + "}").getBytes(StandardCharsets.UTF_8);
                };
            }
            default -> damageBytes(spec, valid(kind, id, badScope, at));
        };
        if (spec.damage() == Damage.NO_KEY) {
            key = null;
        }
        out.add(new Sent(topic, key, spec.damage() == Damage.TOMBSTONE ? null : value, at, spec));
        return out;
    }

    /** Dimensions past what a posterior holds: just past it, d * d beyond an int, d * d 0 modulo 2^32. */
    private static int hugeDimension(int n) {
        return List.of(DecisionCheck.MAX_DIMENSION + 1, 1_000, 46_341, 65_536, 100_000).get(n % 5);
    }

    private byte[] valid(Kind kind, String id, String badScope, Instant at) {
        return switch (kind) {
            case DECISION -> encode(decision(id, 2, at));
            case IMPRESSION -> encode(new Impression(id, "a", at));
            case CLICK -> encode(new Click(id, "a", at, null));
            case IMPRESSION_JSON -> json(id, "a", at, null, false);
            case CLICK_JSON -> json(id, "a", at, 0.5, true);
            case REWARD -> encode(reward(id, badScope, embedding(DIMENSION, 0.5f), 1.0, at));
        };
    }

    private static byte[] damageBytes(Damaged spec, byte[] valid) {
        int n = spec.at();
        boolean json = spec.kind() == Kind.IMPRESSION_JSON || spec.kind() == Kind.CLICK_JSON;
        String text = new String(valid, StandardCharsets.UTF_8);
        return switch (spec.damage()) {
            case TOMBSTONE, NO_KEY, UNKNOWN_DECISION -> valid;
            case EMPTY -> new byte[0];
            case RANDOM_BYTES -> RecordDamage.randomBytes(n);
            case TRUNCATED -> RecordDamage.truncated(valid, n);
            case WRONG_MARKER -> RecordDamage.wrongMarker(valid, n);
            case WRONG_FINGERPRINT -> RecordDamage.wrongFingerprint(valid, n);
            case HUGE_LENGTH -> RecordDamage.hugeLength(valid, n);
            case FLIPPED_BIT -> RecordDamage.flippedBit(valid, n);
            case TRAILING_BYTES -> RecordDamage.trailingBytes(valid, n);
            case FIELD_DROPPED -> {
                String field = List.of("requestId", "candidateId", "timestamp").get(n % 3);
                yield text.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[0-9.]+),?", "").replace(",}", "}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            case FIELD_RETYPED -> {
                String field = List.of("requestId", "candidateId", "timestamp", "value").get(n % (json ? 4 : 3));
                if (field.equals("value") && spec.kind() == Kind.IMPRESSION_JSON) {
                    field = "timestamp";
                }
                List<String> odd = field.equals("timestamp")
                        ? List.of("-1", "1.5", "\"yesterday\"", "true", "{}", "[]", "1e20", "\"2026-12-07T00:00:00\"",
                                "null", "\"\"")
                        : field.equals("value") ? List.of("\"0.5\"", "true", "{}", "[0.5]", "NaN", "1e999999x")
                        : List.of("1", "true", "{}", "[]", "null", "\"\"", "[\"a\"]", "{\"id\":\"a\"}");
                yield text.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[0-9.]+)", "\"" + field + "\":"
                        + odd.get(n % odd.size())).getBytes(StandardCharsets.UTF_8);
            }
            case FIELD_DUPLICATED -> text.replace("}", ",\"candidateId\":\"again\"}").getBytes(StandardCharsets.UTF_8);
            case WRAPPED -> ("{\"event\":" + text + "}").getBytes(StandardCharsets.UTF_8);
            case TOP_LEVEL_ARRAY -> ("[" + text + "]").getBytes(StandardCharsets.UTF_8);
            case INVALID_UTF8 -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int at = text.indexOf("\"candidateId\":\"") + "\"candidateId\":\"".length();
                out.write(valid, 0, at);
                out.writeBytes(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF});
                out.write(valid, at, valid.length - at);
                yield out.toByteArray();
            }
            case UNKNOWN_FIELD -> text.replace("}", ",\"" + escape(spec.text()) + "x\":{\"nested\":[1,2,{}]}}")
                    .getBytes(StandardCharsets.UTF_8);
            case LONG_UNICODE_ID -> text.replaceFirst("\"candidateId\":\"a\"", "\"candidateId\":\""
                    + escape(spec.text()).repeat(1 + n % 200) + "\u00e9\ud83d\ude00\"").getBytes(StandardCharsets.UTF_8);
            default -> throw new IllegalArgumentException("not a byte damage: " + spec.damage());
        };
    }

    // ---- plumbing ----

    private void pipe(Sent record) {
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        inputs.get(record.topic()).pipeInput(new TestRecord<>(key, record.value(), null, record.at()));
    }

    private List<DeadLetter> drain() {
        List<DeadLetter> letters = new ArrayList<>(deadLetters.readValuesToList());
        synchronized (recorded) {
            letters.addAll(recorded);
            recorded.clear();
        }
        return letters;
    }

    private static void check(boolean holds, String format, Object... args) {
        if (!holds) {
            throw new AssertionError(String.format(format, args));
        }
    }

    private <T extends org.apache.avro.specific.SpecificRecord> byte[] encode(T record) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) record.getClass();
        return wire.serde(type).serializer().serialize("fuzz", record);
    }

    private static byte[] json(String id, String candidate, Instant at, Double value, boolean click) {
        String time = at.toEpochMilli() % 2 == 0 ? Long.toString(at.toEpochMilli()) : "\"" + at + "\"";
        return ("{\"requestId\":\"" + id + "\",\"candidateId\":\"" + candidate + "\",\"timestamp\":" + time
                + (click && value != null ? ",\"value\":" + value : "") + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON click whose value is out of the rule's bounds, or not a number JSON can hold. */
    private static byte[] jsonValue(String id, Instant at, double value) {
        String number = Double.isNaN(value) ? "NaN" : Double.isInfinite(value) ? "1e999" : Double.toString(value);
        return ("{\"requestId\":\"" + id + "\",\"candidateId\":\"a\",\"timestamp\":" + at.toEpochMilli()
                + ",\"value\":" + number + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(c == '"' || c == '\\' || c < 0x20 || Character.isSurrogate(c)
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    private static Decision decision(String id, int candidates, Instant at) {
        List<ChosenCandidate> chosen = List.of(chosen("c0", 0.5, embedding(DIMENSION, 0.25f)));
        Decision decision = decision(id, chosen, at);
        List<Candidate> all = new ArrayList<>();
        for (int i = 0; i < candidates; i++) {
            all.add(new Candidate("c" + i, List.of(0f)));
        }
        decision.setCandidates(all);
        return decision;
    }

    private static Decision decision(String id, List<ChosenCandidate> chosen, Instant at) {
        return Decision.newBuilder().setRequestId(id).setSlot(SLOT).setScope(SCOPE).setTimestamp(at)
                .setContext(List.of(0f)).setCandidates(List.of(new Candidate("a", List.of(0f)))).setK(1)
                .setChosen(chosen).setSeed(1L).setEncoderVersion("enc").setPosteriorVersion(0L)
                .setPropensitySamples(1).build();
    }

    private static ChosenCandidate chosen(String id, double propensity, List<Float> z) {
        return new ChosenCandidate(id, 0, 0.1, 0.1, propensity, z, null);
    }

    private static Reward reward(String id, String scope, List<Float> z, double value, Instant at) {
        return Reward.newBuilder().setRequestId(id).setCandidateId("a").setSlot(SLOT).setScope(scope)
                .setEncoderVersion("enc").setReward(value).setKind(RewardKind.CLICK).setDecisionTimestamp(at)
                .setImpressionTimestamp(at).setClickTimestamp(at).setPropensity(0.5).setEmbedding(z)
                .setContext(List.of()).setCandidateFeatures(List.of()).build();
    }

    private static List<Float> embedding(int n, float value) {
        return Collections.nCopies(n, value);
    }
}
