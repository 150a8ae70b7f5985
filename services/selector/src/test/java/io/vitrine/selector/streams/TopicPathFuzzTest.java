package io.vitrine.selector.streams;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.avro.Incumbent;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.core.encoder.DefaultEncoder;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.policy.UniformExploration;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import io.vitrine.selector.decision.DecisionEngine;
import io.vitrine.selector.decision.PosteriorView;
import io.vitrine.selector.decision.ServingEncoders;
import io.vitrine.selector.metrics.SelectorMetrics;
import io.vitrine.service.RecordDamage;
import io.vitrine.service.RecordedDeadLetters;
import io.vitrine.service.control.SlotControls;
import io.vitrine.service.encoders.EncoderCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A structure-aware, property-based fuzz of the topic path ({@code decision-requests -> decisions}) through the
 * selector's real topology and a real decision engine (the built-in encoder, the prior; nothing that would read
 * Kafka is started). Each try is one request record, built valid and then damaged in its bytes (tombstone, empty,
 * random, truncated, a wrong marker or fingerprint, a huge length prefix, a flipped bit, trailing bytes) or its
 * meaning (non-finite features, wrong feature counts, no or too many candidates, duplicate ids, k out of range, blank
 * or long slot and id, an incumbent that is not a candidate or has a propensity outside (0, 1]).
 *
 * <p>Checked: nothing stops the stream thread (an exception out of the driver fails the property, shrunk to its
 * smallest record); an intact request becomes exactly one decision; a damaged one exactly one dead letter with a reason
 * and a detail ({@code undecodable} or {@code empty-value} for bytes, a request reason otherwise); a damage that may
 * leave it valid, one of the two. Undecodable records go to {@link RecordedDeadLetters}, which keeps the letter the
 * service's {@code DeadLetterHandler} writes to Kafka. Records: {@code vitrine.fuzz.tries} in the module's pom, or
 * {@code -Dvitrine.fuzz.tries=N}.
 */
class TopicPathFuzzTest {

    private static final String PREFIX = "fuzz.";
    private static final int FEATURES = 8;
    private static final Set<String> BYTE_REASONS = Set.of("undecodable", "empty-value");

    enum Damage {
        NONE(true), TOMBSTONE(true), EMPTY(true), RANDOM_BYTES(true), TRUNCATED(true), WRONG_MARKER(true),
        WRONG_FINGERPRINT(true), HUGE_LENGTH(true), FLIPPED_BIT(false), TRAILING_BYTES(false),
        NON_FINITE_FEATURE(true), CONTEXT_LENGTH(true), CANDIDATE_LENGTH(true), NO_CANDIDATES(true),
        TOO_MANY_CANDIDATES(true), DUPLICATE_IDS(true), BAD_K(true), BLANK_SLOT(true), LONG_TEXT(true),
        NO_ID_NO_KEY(true), UNKNOWN_INCUMBENT(true), BAD_INCUMBENT_PROPENSITY(true), HUGE_CONTEXT(true);

        /** False for a damage that may leave the record valid. */
        final boolean certain;

        Damage(boolean certain) {
            this.certain = certain;
        }
    }

    /** One request: {@code candidates} of them, {@code k}, and a damage steered by {@code at}. */
    record Spec(int candidates, int k, float feature, Damage damage, int at, String text) {
    }

    private static SelectorFixture fixture;
    private final WireFormat wire = new WireFormat.SingleObject();
    private final List<DeadLetter> recorded = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> outcomes = new TreeMap<>();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> requests;
    private TestOutputTopic<String, Decision> decisions;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private long tries;
    private long started;

    /** The engine and what it would follow on Kafka, built once: an encoder session is not free. */
    private record SelectorFixture(DecisionEngine engine, SelectorMetrics metrics, PosteriorView posteriors,
                                   EncoderCatalog catalog, SlotControls controls) {
    }

    @BeforeContainer
    static void buildEngine() {
        WireFormat wire = new WireFormat.SingleObject();
        // Consumers are made but never started: nothing connects to this address.
        Map<String, Object> kafka = Map.of("bootstrap.servers", "localhost:1");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EncoderCatalog catalog = EncoderCatalog.of(kafka, PREFIX, wire);
        PosteriorView posteriors = new PosteriorView(kafka, Topic.POSTERIORS.name(PREFIX),
                wire.<PosteriorSnapshot>serde(PosteriorSnapshot.class).deserializer());
        SlotControls controls = SlotControls.of(kafka, PREFIX, wire, "fuzz-slot-control");
        ServingEncoders encoders = new ServingEncoders(OnnxEncoder.load(DefaultEncoder.random(FEATURES, FEATURES, 24,
                1).toOnnx()), catalog, registry);
        // Few propensity draws: the fuzz is about what the path accepts, not about the propensities' precision.
        DecisionEngine engine = new DecisionEngine(encoders, posteriors, NigPrior.DEFAULT, 8,
                new UniformExploration(0.05), 500, 50, Set.of(), Optional.empty(), controls);
        fixture = new SelectorFixture(engine, new SelectorMetrics(registry, posteriors), posteriors, catalog,
                controls);
    }

    @AfterContainer
    static void closeEngine() throws Exception {
        if (fixture == null) {
            return;
        }
        fixture.posteriors().close();
        fixture.catalog().close();
        fixture.controls().close();
    }

    @BeforeTry
    void startDriver() {
        if (driver != null) {
            return;
        }
        if (started == 0) {
            started = System.nanoTime();
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "selector-fuzz");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.putAll(RecordedDeadLetters.settings("selector", recorded));
        driver = new TopologyTestDriver(SelectorTopology.build(PREFIX, wire, fixture.engine(), fixture.metrics()),
                props);
        requests = driver.createInputTopic(Topic.DECISION_REQUESTS.name(PREFIX), new ByteArraySerializer(),
                new ByteArraySerializer());
        decisions = driver.createOutputTopic(Topic.DECISIONS.name(PREFIX), Serdes.String().deserializer(),
                wire.serde(Decision.class).deserializer());
        deadLetters = driver.createOutputTopic(Topic.DEAD_LETTERS.name(PREFIX), Serdes.String().deserializer(),
                wire.serde(DeadLetter.class).deserializer());
    }

    @AfterProperty
    void report() {
        if (driver != null) {
            driver.close();
            driver = null;
        }
        System.out.printf("topic path fuzz: %,d records, %.1f s; outcomes %s%n", tries,
                (System.nanoTime() - started) / 1e9, outcomes);
    }

    @Property
    void everyRequestRecordIsOneDecisionOrOneDeadLetterWithItsReason(@ForAll("requestRecords") Spec spec) {
        String id = "r" + (++tries);
        String key = spec.damage() == Damage.NO_ID_NO_KEY ? null : id;
        byte[] value = spec.damage() == Damage.TOMBSTONE ? null : bytes(spec, id);
        try {
            requests.pipeInput(new TestRecord<>(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, null,
                    Instant.now()));
        } catch (RuntimeException | Error e) {
            driver.close();
            driver = null;
            throw e;
        }
        List<Decision> decided = decisions.readValuesToList();
        List<DeadLetter> letters = new ArrayList<>(deadLetters.readValuesToList());
        synchronized (recorded) {
            letters.addAll(recorded);
            recorded.clear();
        }
        check(decided.size() + letters.size() == 1, decided.size() + " decisions and " + letters.size()
                + " dead letters for one record: " + letters);
        if (decided.size() == 1) {
            check(!spec.damage().certain || spec.damage() == Damage.NONE, "a damaged request was decided: "
                    + decided.get(0));
            outcomes.merge("decided", 1, Integer::sum);
            return;
        }
        DeadLetter letter = letters.get(0);
        check(spec.damage() != Damage.NONE, "an intact request became a dead letter: " + letter);
        check(letter.getReason() != null && !letter.getReason().isBlank() && letter.getDetail() != null
                && !letter.getDetail().isBlank() && letter.getSourceTopic() != null && letter.getOffset() != null,
                "a dead letter without reason, detail or source: " + letter);
        boolean byteDamage = spec.damage().ordinal() <= Damage.TRAILING_BYTES.ordinal();
        check(!spec.damage().certain || byteDamage == BYTE_REASONS.contains(letter.getReason()),
                spec.damage() + " gave a dead letter '" + letter.getReason() + "': " + letter.getDetail());
        outcomes.merge(letter.getReason(), 1, Integer::sum);
    }

    // ---- generators ----

    @Provide
    Arbitrary<Spec> requestRecords() {
        return Combinators.combine(Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 6),
                        Arbitraries.floats().between(-100f, 100f), Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(Damage.values().length, Arbitraries.just(Damage.NONE)),
                                net.jqwik.api.Tuple.of(Damage.values().length, Arbitraries.of(Damage.class))),
                        Arbitraries.integers().between(0, 100_000), Arbitraries.strings().ofMinLength(0).ofMaxLength(20))
                .as((candidates, k, feature, damage, at, text) -> new Spec(candidates, Math.min(k, candidates),
                        feature, damage, at, text));
    }

    // ---- records ----

    private byte[] bytes(Spec spec, String id) {
        int n = spec.at();
        List<Float> context = features(FEATURES, spec.feature());
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < spec.candidates(); i++) {
            candidates.add(new Candidate("c" + i, features(FEATURES, spec.feature() / (i + 1))));
        }
        DecisionRequest.Builder request = DecisionRequest.newBuilder().setRequestId(id).setSlot("fuzz/topic")
                .setContext(context).setCandidates(candidates).setK(spec.k()).setTimestamp(Instant.now());
        switch (spec.damage()) {
            case NON_FINITE_FEATURE -> {
                List<Float> damaged = new ArrayList<>(n % 2 == 0 ? context : candidates.get(0).getFeatures());
                damaged.set(n % FEATURES, List.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)
                        .get(n % 3));
                if (n % 2 == 0) {
                    request.setContext(damaged);
                } else {
                    candidates.set(0, new Candidate("c0", damaged));
                }
            }
            case CONTEXT_LENGTH -> request.setContext(features(List.of(0, 1, FEATURES - 1, FEATURES + 1).get(n % 4),
                    1f));
            case HUGE_CONTEXT -> request.setContext(features(List.of(10_000, 100_000).get(n % 2), 1f));
            case CANDIDATE_LENGTH -> candidates.set(candidates.size() - 1, new Candidate("last",
                    features(List.of(0, FEATURES - 1, FEATURES + 1, 1_000).get(n % 4), 1f)));
            case NO_CANDIDATES -> candidates.clear();
            case TOO_MANY_CANDIDATES -> {
                for (int i = candidates.size(); i <= 500; i++) {
                    candidates.add(new Candidate("c" + i, features(FEATURES, 0f)));
                }
            }
            case DUPLICATE_IDS -> candidates.add(new Candidate("c0", features(FEATURES, 0f)));
            case BAD_K -> request.setK(List.of(0, -1, spec.candidates() + 1, 51, Integer.MAX_VALUE, Integer.MIN_VALUE)
                    .get(n % 6));
            case BLANK_SLOT -> request.setSlot(List.of("", " ", "\t\n").get(n % 3));
            case LONG_TEXT -> {
                String text = (spec.text() + "\u00e9\ud83d\ude00").repeat(300);
                switch (n % 3) {
                    case 0 -> request.setSlot(text);
                    case 1 -> request.setRequestId(text);
                    default -> candidates.set(0, new Candidate(text, candidates.get(0).getFeatures()));
                }
            }
            case NO_ID_NO_KEY -> request.setRequestId(n % 2 == 0 ? "" : " ");
            case UNKNOWN_INCUMBENT -> request.setIncumbent(new Incumbent("not-a-candidate", null));
            case BAD_INCUMBENT_PROPENSITY -> request.setIncumbent(new Incumbent("c0",
                    List.of(0.0, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY).get(n % 5)));
            default -> {
            }
        }
        byte[] valid = wire.serde(DecisionRequest.class).serializer().serialize("fuzz",
                request.setCandidates(candidates).build());
        return switch (spec.damage()) {
            case EMPTY -> new byte[0];
            case RANDOM_BYTES -> RecordDamage.randomBytes(n);
            case TRUNCATED -> RecordDamage.truncated(valid, n);
            case WRONG_MARKER -> RecordDamage.wrongMarker(valid, n);
            case WRONG_FINGERPRINT -> RecordDamage.wrongFingerprint(valid, n);
            case FLIPPED_BIT -> RecordDamage.flippedBit(valid, n);
            case HUGE_LENGTH -> RecordDamage.hugeLength(valid, n);
            case TRAILING_BYTES -> RecordDamage.trailingBytes(valid, n);
            default -> valid;
        };
    }

    private static List<Float> features(int n, float value) {
        return Collections.nCopies(n, value);
    }

    private static void check(boolean holds, String message) {
        if (!holds) {
            throw new AssertionError(message);
        }
    }
}
