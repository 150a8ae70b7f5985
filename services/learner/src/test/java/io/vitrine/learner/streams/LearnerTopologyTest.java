package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.learner.control.LearningGate;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The attribution join and the posterior update, driven record by record without a broker. */
class LearnerTopologyTest {

    private static final String PREFIX = "t.";
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final Duration IDLE_CLOSE = Duration.ofSeconds(5);
    private static final Duration PUBLISH = Duration.ofSeconds(1);
    private static final Duration HOLD = Duration.ofSeconds(20);
    private static final Forgetting FORGETTING = Forgetting.halfLife(3);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String SCOPE = "hero@enc";

    private final WireFormat wire = new WireFormat.SingleObject();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, Decision> decisions;
    private TestInputTopic<String, Impression> impressions;
    private TestInputTopic<String, Click> clicks;
    private TestOutputTopic<String, Reward> rewards;
    private TestOutputTopic<String, PosteriorSnapshot> posteriors;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    @BeforeEach
    void setUp() throws Exception {
        start(0.0);
    }

    private ClickRewardTiming clickRewardAt = ClickRewardTiming.WINDOW_END;
    private int joinTasks = 1;
    private Duration lateness = Duration.ZERO;
    private RewardRule rewardRule = RewardRule.DEFAULT;
    /** What the join's consumer would report: records of the task wait on the broker. */
    private volatile boolean inputBehind;
    /** The broker is away: the join's consumer completes no fetch (it completes one a second otherwise). */
    private volatile boolean brokerAway;
    private long fetches;
    private long fetchesAtLastAsk = -1;

    private void start(double defaultReward) throws Exception {
        if (driver != null) {
            driver.close();
        }
        var settings = new LearnerTopology.Settings(PREFIX, WINDOW, lateness, Duration.ofHours(1), IDLE_CLOSE, HOLD,
                defaultReward, clickRewardAt, PUBLISH, NigPrior.DEFAULT, FORGETTING, rewardRule);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "learner-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("learner-ttd").toString());
        driver = new TopologyTestDriver(LearnerTopology.build(settings, wire, new LearnerMetrics(registry), () -> joinTasks,
                version -> false, LearningGate.open(), this::behind), props,
                T0);
        var keys = Serdes.String();
        decisions = driver.createInputTopic(Topic.DECISIONS.name(PREFIX), keys.serializer(),
                wire.serde(Decision.class).serializer());
        impressions = driver.createInputTopic(Topic.IMPRESSIONS.name(PREFIX), keys.serializer(),
                wire.serde(Impression.class).serializer());
        clicks = driver.createInputTopic(Topic.CLICKS.name(PREFIX), keys.serializer(),
                wire.serde(Click.class).serializer());
        rewards = driver.createOutputTopic(Topic.REWARDS.name(PREFIX), keys.deserializer(),
                wire.serde(Reward.class).deserializer());
        posteriors = driver.createOutputTopic(Topic.POSTERIORS.name(PREFIX), keys.deserializer(),
                wire.serde(PosteriorSnapshot.class).deserializer());
        deadLetters = driver.createOutputTopic(Topic.DEAD_LETTERS.name(PREFIX), keys.deserializer(),
                wire.serde(DeadLetter.class).deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void clickInsideTheWindowIsRewardOneEmittedWhenTheWindowEnds() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0.plusMillis(100));
        click("r1", "a", T0.plusSeconds(3));
        decide("r2", T0.plus(WINDOW), "a", List.of(1f, 0f));
        assertTrue(rewards.isEmpty(), "the click waits for the end of its window, as a non-click would");

        passStreamTime(T0.plus(WINDOW).plusSeconds(1));
        assertTheOneClickReward(T0.plusSeconds(3));
    }

    @Test
    void clickRewardAtTheClickIsEmittedAtOnce() throws Exception {
        clickRewardAt = ClickRewardTiming.CLICK;
        start(0.0);
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0.plusMillis(100));
        click("r1", "a", T0.plusSeconds(3));

        assertTheOneClickReward(T0.plusSeconds(3));
    }

    @Test
    void impressionWithoutClickEmitsRewardZeroWhenTheWindowEnds() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        decide("r2", T0.plus(WINDOW).minusMillis(1), "a", List.of(1f, 0f));
        assertTrue(rewards.isEmpty(), "window still open");

        decide("r3", T0.plus(WINDOW).plusSeconds(1), "a", List.of(1f, 0f)); // stream time passes the end
        Reward reward = rewards.readValue();
        assertEquals("r1", reward.getRequestId());
        assertEquals(0.0, reward.getReward());
        assertEquals(RewardKind.NO_CLICK, reward.getKind());
        assertNull(reward.getClickTimestamp());
    }

    @Test
    void quietPartitionClosesItsWindowsByWallClock() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        passWallClock(WINDOW.minusSeconds(1)); // quiet past the idle-close delay, but the window has not ended
        assertTrue(rewards.isEmpty(), "quiet, but the window cannot have ended yet");
        passWallClock(Duration.ofSeconds(2));
        Reward reward = rewards.readValue();
        assertEquals(RewardKind.NO_CLICK, reward.getKind());
    }

    @Test
    void aStalledStreamThreadIsNotQuietAndClosesNoWindowByWallClock() {
        // The soak's defect: a learner caught up its backlog on a starved machine; its thread ran nothing for 40 s,
        // and the wall-clock fallback took that for a quiet task: it closed a held impression as unknown-decision
        // and an open window as a non-click, although the decision and the click were on the broker.
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0.plusMillis(100));
        show("r2", "a", T0.plusMillis(200)); // its decision comes later, as from another partition
        passWallClock(Duration.ofSeconds(1));
        driver.advanceWallClockTime(Duration.ofSeconds(40)); // one punctuation after 40 s: the thread did not run

        decide("r2", T0.plusMillis(150), "a", List.of(1f, 0f));
        click("r1", "a", T0.plusSeconds(2));
        assertTrue(rewards.isEmpty(), "nothing closes by the time the thread did not run");
        assertTrue(deadLetters.isEmpty(), "no held impression is given up for it either");

        passWallClock(WINDOW.plusSeconds(2)); // then quiet at the punctuations' pace: the fallback closes both
        List<Reward> closed = rewards.readValuesToList();
        assertEquals(2, closed.size());
        assertEquals(RewardKind.CLICK, closed.stream().filter(r -> r.getRequestId().equals("r1")).findFirst()
                .orElseThrow().getKind());
        assertEquals(RewardKind.NO_CLICK, closed.stream().filter(r -> r.getRequestId().equals("r2")).findFirst()
                .orElseThrow().getKind());
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void aHeldImpressionWaitsForADecisionThatIsACommitAwayWhenStreamTimeRunsAhead() {
        // A backlog read in seconds: stream time passes the grace before the decision, moved through the repartition
        // topic, is read a commit later.
        show("r1", "a", T0.plusMillis(20));
        decide("r2", T0.plus(HOLD).plusSeconds(5), "a", List.of(1f, 0f));
        passWallClock(Duration.ofSeconds(1));
        decide("r1", T0, "a", List.of(1f, 0f));
        passWallClock(Duration.ofSeconds(4));
        assertTrue(deadLetters.isEmpty(), "the impression found its decision");
        List<Reward> closed = rewards.readValuesToList();
        assertEquals(List.of("r1"), closed.stream().map(Reward::getRequestId).toList());
    }

    @Test
    void aTaskWithRecordsWaitingOnTheBrokerIsNotQuiet() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        inputBehind = true; // a backlog the consumer has not fetched yet
        passWallClock(WINDOW.plusSeconds(10));
        assertTrue(rewards.isEmpty(), "a task that is behind waits for its records, whatever the wall clock says");

        inputBehind = false;
        passWallClock(IDLE_CLOSE.minusSeconds(1));
        assertTrue(rewards.isEmpty(), "quiet time counts from when the lag was gone");
        passWallClock(WINDOW.plusSeconds(1));
        assertEquals(RewardKind.NO_CLICK, rewards.readValue().getKind());
    }

    @Test
    void aTaskWhoseConsumerCannotReachTheBrokerIsNotQuiet() {
        // Broker loss under load: the consumer had fetched everything it knew of (its last lag 0), then the broker went
        // away with a click not yet fetched. Closing by wall clock then made the clicked impression a NO_CLICK.
        decide("r0", T0, "a", List.of(1f, 0f));
        show("r0", "a", T0);
        passWallClock(WINDOW.multipliedBy(2)); // quiet with the broker there: the lag was asked, and r0 closed
        assertEquals(RewardKind.NO_CLICK, rewards.readValue().getKind());

        decide("r1", T0.plusSeconds(20), "a", List.of(1f, 0f));
        show("r1", "a", T0.plusSeconds(20));
        decide("r2", T0.plusSeconds(28), "a", List.of(1f, 0f)); // stream time 2 s short of r1's window end
        passWallClock(Duration.ofSeconds(2)); // fetches since the lag was last asked, then none
        brokerAway = true;
        passWallClock(WINDOW.plusSeconds(30));
        assertTrue(rewards.isEmpty(), "a task that cannot fetch is not quiet, however long the broker is away");

        brokerAway = false;
        click("r1", "a", T0.plusSeconds(25)); // on the broker all along, fetched once it is back
        passWallClock(IDLE_CLOSE.plusSeconds(2));
        Reward reward = rewards.readValue();
        assertEquals("r1", reward.getRequestId());
        assertEquals(RewardKind.CLICK, reward.getKind());
    }

    @Test
    void lateClickAfterTheWindowIsCountedAsLateNotAsReward() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        click("r1", "a", T0.plus(WINDOW).plusMillis(1)); // processed before the window was closed
        assertEquals(1.0, counter("vitrine.events.dropped", "reason", "click-late"));
        decide("r2", T0.plus(WINDOW).plusSeconds(1), "a", List.of(1f, 0f));
        assertEquals(RewardKind.NO_CLICK, rewards.readValue().getKind());
        assertTrue(rewards.isEmpty());
    }

    @Test
    void duplicateClickCountsOnce() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        click("r1", "a", T0.plusSeconds(1));
        click("r1", "a", T0.plusSeconds(2));
        decide("later", T0.plus(HOLD).plus(WINDOW), "a", List.of(1f, 0f)); // past every deadline
        // One reward, a click, emitted when the window ends; the second click only counts as a duplicate.
        assertEquals(List.of(RewardKind.CLICK), rewards.readValuesToList().stream().map(Reward::getKind).toList());
        assertEquals(1.0, counter("vitrine.events.dropped", "reason", "click-duplicate"));
        assertEquals(0.0, counter("vitrine.events.dropped", "reason", "click-orphan"));
    }

    @Test
    void anImpressionRepeatedAfterItsWindowClosedMakesNoSecondReward() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        decide("r2", T0.plus(WINDOW).plusSeconds(1), "a", List.of(1f, 0f)); // closes r1's window
        assertEquals(RewardKind.NO_CLICK, rewards.readValue().getKind());
        // A client retries its batch long after the window closed, while the decision is still kept.
        show("r1", "a", T0.plus(WINDOW).plusSeconds(2));
        decide("r3", T0.plus(WINDOW).plus(WINDOW).plus(HOLD).plusSeconds(5), "a", List.of(1f, 0f)); // past its window
        assertTrue(rewards.isEmpty(), "the repeat opened no second window");
        assertEquals(1.0, counter("vitrine.events.dropped", "reason", "impression-duplicate"));
    }

    @Test
    void clickAfterANoClickWindowClosedIsLateNotAReward() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        decide("r2", T0.plus(WINDOW).plusSeconds(1), "a", List.of(1f, 0f)); // closes r1's window
        assertEquals(RewardKind.NO_CLICK, rewards.readValue().getKind());
        click("r1", "a", T0.plus(WINDOW).plusSeconds(2));
        assertTrue(rewards.isEmpty());
        assertEquals(1.0, counter("vitrine.events.dropped", "reason", "click-late"));
    }

    @Test
    void clickWithoutAnyImpressionIsHeldThenCountedAsOrphan() {
        decide("r1", T0, "a", List.of(1f, 0f));
        click("r1", "a", T0.plusSeconds(1));
        assertEquals(0.0, counter("vitrine.events.dropped", "reason", "click-orphan"), "held for the grace");
        decide("later", T0.plus(HOLD).plusSeconds(2), "a", List.of(1f, 0f));
        assertEquals(0.0, counter("vitrine.events.dropped", "reason", "click-orphan"),
                "past the grace in event time, but the task has not yet run for as long");
        passWallClock(HOLD.plusSeconds(1));
        assertEquals(1.0, counter("vitrine.events.dropped", "reason", "click-orphan"));
        assertTrue(rewards.isEmpty());
    }

    @Test
    void impressionBeforeItsDecisionIsHeldThenJoined() {
        show("r1", "a", T0.plusMillis(5));
        decide("r1", T0, "a", List.of(1f, 0f));
        click("r1", "a", T0.plusSeconds(1));
        passStreamTime(T0.plus(WINDOW).plusSeconds(1));
        Reward reward = rewards.readValue();
        assertEquals(RewardKind.CLICK, reward.getKind());
        assertEquals(T0.plusMillis(5), reward.getImpressionTimestamp());
    }

    @Test
    void clickBeforeItsImpressionIsHeldThenJoined() {
        decide("r1", T0, "a", List.of(1f, 0f));
        click("r1", "a", T0.plusSeconds(1));
        assertTrue(rewards.isEmpty());
        show("r1", "a", T0.plusMillis(500));
        passStreamTime(T0.plus(WINDOW).plusSeconds(1));
        assertEquals(RewardKind.CLICK, rewards.readValue().getKind());
        assertTrue(rewards.isEmpty());
    }

    @Test
    void impressionOfAnUnknownDecisionGoesToTheDeadLetterTopicAfterTheGrace() {
        show("r0", "a", T0); // a normal impression first, so that the next one has offset 1
        show("nobody", "a", T0);
        decide("r2", T0.plus(HOLD).minusSeconds(1), "a", List.of(1f, 0f));
        assertEquals(0.0, counter("vitrine.events.dropped", "reason", "impression-unknown-decision"), "still held");
        assertTrue(deadLetters.isEmpty(), "still held");
        decide("r3", T0.plus(HOLD).plusSeconds(1), "a", List.of(1f, 0f));
        assertTrue(deadLetters.isEmpty(), "past the grace in event time, but not yet held as long in running time");
        passWallClock(HOLD.plusSeconds(1));
        assertTrue(rewards.isEmpty());
        assertEquals(2.0, counter("vitrine.events.dropped", "reason", "impression-unknown-decision"));

        Map<String, DeadLetter> letters = deadLetters.readKeyValuesToMap();
        DeadLetter letter = letters.get("nobody");
        assertEquals("unknown-decision", letter.getReason());
        assertEquals("learner", letter.getService());
        assertEquals(Topic.IMPRESSIONS.name(PREFIX), letter.getSourceTopic());
        assertEquals(0, letter.getPartition());
        assertEquals(1L, letter.getOffset());
        assertTrue(letter.getDetail().contains("nobody"), letter.getDetail());
        byte[] raw = new byte[letter.getValue().remaining()];
        letter.getValue().get(raw);
        assertEquals(new Impression("nobody", "a", T0),
                wire.serde(Impression.class).deserializer().deserialize(letter.getSourceTopic(), raw),
                "the dead letter carries the impression itself");
        assertEquals(2.0, counter("vitrine.dead.letters", "reason", "unknown-decision"));
    }

    @Test
    void impressionOfACandidateThatWasNotChosenGoesToTheDeadLetterTopic() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "b", T0);
        assertEquals(1.0, counter("vitrine.events.dropped", "reason", "impression-unknown-candidate"));
        DeadLetter letter = deadLetters.readValue();
        assertEquals("unknown-candidate", letter.getReason());
        assertEquals(0L, letter.getOffset());
        assertTrue(rewards.isEmpty());
    }

    @Test
    void impressionHeldForItsDecisionThenShowingAnUnchosenCandidateKeepsItsOrigin() {
        show("r1", "b", T0);
        decide("r1", T0, "a", List.of(1f, 0f));
        DeadLetter letter = deadLetters.readValue();
        assertEquals("unknown-candidate", letter.getReason());
        assertEquals(Topic.IMPRESSIONS.name(PREFIX), letter.getSourceTopic(), "the impression's, not the decision's");
    }

    @Test
    void eventWithoutKeyGoesToTheDeadLetterTopic() {
        impressions.pipeInput(null, new Impression("r1", "a", T0), T0);
        DeadLetter letter = deadLetters.readValue();
        assertEquals("missing-key", letter.getReason());
        assertEquals(Topic.IMPRESSIONS.name(PREFIX), letter.getSourceTopic());
        assertTrue(letter.getValue() != null && letter.getValue().remaining() > 0, "the event itself");
    }

    @Test
    void eventWithoutValueGoesToTheDeadLetterTopic() {
        clicks.pipeInput("r1", null, T0);
        assertEquals("empty-value", deadLetters.readValue().getReason());
    }

    @Test
    void decisionWithANonFiniteEmbeddingIsRefusedAndItsImpressionsNeverRewarded() {
        decide("r1", T0, "a", List.of(1f, Float.NaN));
        DeadLetter letter = deadLetters.readValue();
        assertEquals("invalid-decision", letter.getReason());
        assertTrue(letter.getDetail().contains("non-finite"), letter.getDetail());
        show("r1", "a", T0);
        decide("later", T0.plus(HOLD).plus(WINDOW), "a", List.of(1f, 0f));
        passWallClock(HOLD.plusSeconds(1)); // held for the grace in running time as well
        assertTrue(rewards.isEmpty());
        assertEquals("unknown-decision", deadLetters.readValue().getReason());
    }

    @Test
    void defaultRewardIsZeroUnlessConfigured() throws Exception {
        start(0.25);
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        decide("r2", T0.plus(WINDOW).plusSeconds(1), "a", List.of(1f, 0f));
        Reward reward = rewards.readValue();
        assertEquals(RewardKind.NO_CLICK, reward.getKind());
        assertEquals(0.25, reward.getReward());
    }

    @Test
    void windowStartsAtTheImpressionNotAtTheDecision() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0.plusSeconds(8));
        click("r1", "a", T0.plus(WINDOW).plusSeconds(5)); // after decision + window, inside impression + window
        passStreamTime(T0.plus(WINDOW).plusSeconds(9));
        Reward reward = rewards.readValue();
        assertEquals(RewardKind.CLICK, reward.getKind());
        assertEquals(1.0, reward.getReward());
    }

    @Test
    void publishedPosteriorEqualsTheForgettingPosteriorOfItsRewardsInArrivalOrder() {
        List<List<Float>> zs = List.of(List.of(1f, 0f), List.of(0f, 1f), List.of(1f, 1f), List.of(0.5f, -1f));
        double[] r = {1, 0, 1, 0};
        SufficientStatistics expected = SufficientStatistics.empty(2);
        for (int i = 0; i < zs.size(); i++) {
            Instant t = T0.plusMillis(i);
            decide("r" + i, t, "a", zs.get(i));
            show("r" + i, "a", t);
            if (r[i] == 1) {
                click("r" + i, "a", t.plusSeconds(1));
            }
        }
        int[] order = {0, 1, 2, 3}; // arrival at the updater: every reward when its window closes
        for (int i : order) {
            FORGETTING.update(expected, new float[] {zs.get(i).get(0), zs.get(i).get(1)}, r[i]);
        }
        decide("later", T0.plus(WINDOW).plusSeconds(2), "a", List.of(1f, 0f)); // closes the no-click windows
        assertEquals(4, rewards.readValuesToList().size());

        driver.advanceWallClockTime(PUBLISH);
        Map<String, PosteriorSnapshot> published = posteriors.readKeyValuesToMap();
        PosteriorSnapshot snapshot = published.get(SCOPE);
        assertEquals(4, snapshot.getVersion());
        NormalInverseGammaPosterior expectedPosterior = NormalInverseGammaPosterior.fromStatistics(expected,
                NigPrior.DEFAULT);
        double[] mu = expectedPosterior.mu();
        for (int j = 0; j < mu.length; j++) {
            assertEquals(mu[j], snapshot.getMu().get(j), 1e-12);
        }
        assertEquals(expectedPosterior.bn(), snapshot.getBn(), 1e-12);
        assertEquals(expectedPosterior.a(), snapshot.getA(), 1e-12);

        driver.advanceWallClockTime(PUBLISH);
        assertTrue(posteriors.isEmpty(), "nothing changed, nothing published");
    }

    @Test
    void aClickInsideItsWindowThatArrivesWithinTheAllowedLatenessCounts() throws Exception {
        lateness = Duration.ofSeconds(2);
        start(0.0);
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0.plusMillis(100));
        passStreamTime(T0.plus(WINDOW).plusSeconds(1)); // past the window's end, not past its lateness
        assertTrue(rewards.isEmpty(), "the window waits for its lateness");
        click("r1", "a", T0.plusSeconds(3)); // inside the window, fetched after later events

        passStreamTime(T0.plus(WINDOW).plusSeconds(3));
        assertTheOneClickReward(T0.plusSeconds(3));

        decide("r2", T0.plus(WINDOW), "a", List.of(1f, 0f));
        show("r2", "a", T0.plus(WINDOW));
        passStreamTime(T0.plus(WINDOW).plus(WINDOW).plusSeconds(1));
        click("r2", "a", T0.plus(WINDOW).plus(WINDOW).plusMillis(500)); // after the window's end: late however soon
        passStreamTime(T0.plus(WINDOW).plus(WINDOW).plusSeconds(3));
        assertEquals(RewardKind.NO_CLICK, rewards.readValue().getKind());
        assertEquals(1.0, counter("vitrine.events.dropped", "reason", "click-late"));
    }

    @Test
    void eventsOffTheirRequestsPartitionTakeTheRepartitionTopicAndStillJoin() throws Exception {
        // The driver runs one task, partition 0. With 4 join tasks, request ids whose murmur2 partition is not 0
        // sit where a librdkafka producer (CRC32) might have put them: they must be moved, and still join.
        joinTasks = 4;
        start(0.0);
        List<String> ids = new java.util.ArrayList<>();
        int misplaced = 0;
        for (int i = 0; ids.size() < 8; i++) {
            String id = "req-" + i;
            ids.add(id);
            if (RequestPlacement.taskOf(id, 4) != 0) {
                misplaced++;
            }
        }
        assertTrue(misplaced > 0 && misplaced < ids.size(), "both kinds among the ids");
        for (String id : ids) {
            decide(id, T0, "a", List.of(1f, 0f));
            show(id, "a", T0.plusMillis(10));
            click(id, "a", T0.plusMillis(20));
        }
        passStreamTime(T0.plus(WINDOW).plusSeconds(1));

        Map<String, Reward> byRequest = new java.util.HashMap<>();
        rewards.readValuesToList().forEach(r -> byRequest.put(r.getRequestId(), r));
        assertEquals(ids.size(), byRequest.size(), "one reward per impression");
        byRequest.values().forEach(r -> assertEquals(RewardKind.CLICK, r.getKind(), r.getRequestId()));
        assertTrue(deadLetters.isEmpty(), "nothing dead-lettered");
        assertEquals(misplaced, counter("vitrine.events.repartitioned", "topic", "impressions"));
        assertEquals(misplaced, counter("vitrine.events.repartitioned", "topic", "clicks"));
        assertEquals(0.0, counter("vitrine.events.dropped", "reason", "click-orphan"));
    }

    @Test
    void invalidRewardOnTheTopicIsCountedAndTheStreamGoesOn() {
        TestInputTopic<String, Reward> rewardsIn = driver.createInputTopic(Topic.REWARDS.name(PREFIX),
                Serdes.String().serializer(), wire.serde(Reward.class).serializer());
        Reward empty = Reward.newBuilder()
                .setRequestId("bad").setCandidateId("a").setSlot("hero").setScope(SCOPE).setEncoderVersion("enc")
                .setReward(1).setKind(RewardKind.CLICK).setDecisionTimestamp(T0).setImpressionTimestamp(T0)
                .setClickTimestamp(T0).setPropensity(1).setEmbedding(List.of()).setContext(List.of())
                .setCandidateFeatures(List.of()).build();
        rewardsIn.pipeInput("hero", empty, T0);
        Reward nan = Reward.newBuilder(empty).setEmbedding(List.of(Float.NaN, 1f)).build();
        rewardsIn.pipeInput("hero", nan, T0);
        assertEquals(2.0, counter("vitrine.events.dropped", "reason", "reward-invalid"));
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertEquals(2, letters.size(), "each bad reward is a dead letter");
        assertEquals("invalid-reward", letters.get(1).getReason());
        assertEquals(Topic.REWARDS.name(PREFIX), letters.get(1).getSourceTopic());
        assertEquals(1L, letters.get(1).getOffset());

        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        click("r1", "a", T0.plusSeconds(1));
        passStreamTime(T0.plus(WINDOW).plusSeconds(1));
        driver.advanceWallClockTime(PUBLISH);
        assertEquals(1, posteriors.readKeyValuesToMap().get(SCOPE).getVersion(), "good rewards still count");
    }

    @Test
    void jsonEventsJoinLikeAvroOnesOnTheSameTopics() {
        var raw = driver.createInputTopic(Topic.IMPRESSIONS.name(PREFIX), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        var rawClicks = driver.createInputTopic(Topic.CLICKS.name(PREFIX), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        decide("r1", T0, "a", List.of(1f, 0f));
        // As a browser or a script writes them: an ISO-8601 time with an offset, epoch milliseconds, extra fields.
        raw.pipeInput("r1", ("  {\"requestId\": \"r1\", \"candidateId\": \"a\", \"timestamp\": \""
                + T0.plusMillis(100).atOffset(java.time.ZoneOffset.ofHours(2)) + "\", \"page\": \"home\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), T0.plusMillis(100));
        rawClicks.pipeInput("r1", ("{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":"
                + T0.plusSeconds(3).toEpochMilli() + ",\"device\":{\"type\":\"phone\"}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), T0.plusSeconds(3));
        // An Avro impression on the same topic joins too.
        decide("r2", T0.plusSeconds(1), "a", List.of(1f, 0f));
        show("r2", "a", T0.plusSeconds(1));

        passStreamTime(T0.plus(WINDOW).plusSeconds(2));
        Map<String, Reward> byRequest = new java.util.HashMap<>();
        rewards.readValuesToList().forEach(r -> byRequest.put(r.getRequestId(), r));
        assertEquals(RewardKind.CLICK, byRequest.get("r1").getKind());
        assertEquals(T0.plusMillis(100), byRequest.get("r1").getImpressionTimestamp());
        assertEquals(T0.plusSeconds(3), byRequest.get("r1").getClickTimestamp());
        assertEquals(RewardKind.NO_CLICK, byRequest.get("r2").getKind());
        assertTrue(deadLetters.isEmpty());
    }

    @ParameterizedTest
    @EnumSource(RewardRule.Combine.class)
    void bookingValuesAfterClicksMakeTheRuleRewardsAndThePosteriorTheirBatchFit(RewardRule.Combine combine)
            throws Exception {
        rewardRule = new RewardRule(combine, 1, 0.01, 0, 1000);
        start(0.0);
        boolean sum = combine == RewardRule.Combine.WEIGHTED_SUM;
        List<List<Float>> zs = List.of(List.of(1f, 0f), List.of(0f, 1f), List.of(1f, 1f), List.of(0.5f, -1f),
                List.of(-1f, 0.25f), List.of(2f, 0.5f));
        for (int i = 0; i < zs.size(); i++) {
            Instant t = T0.plusMillis(i);
            decide("r" + i, t, "a", zs.get(i));
            show("r" + i, "a", t);
        }
        click("r0", "a", T0.plusSeconds(1));
        book("r0", "a", T0.plusSeconds(4), 250);           // a booking after the click
        click("r1", "a", T0.plusSeconds(1));               // a click, no booking
        // r2: shown, neither clicked nor booked
        click("r3", "a", T0.plusSeconds(1));
        book("r3", "a", T0.plusSeconds(2), 40);
        book("r3", "a", T0.plusSeconds(3), 40);            // the same booking sent again
        book("r3", "a", T0.plusSeconds(3), 20);            // a smaller value does not lower it
        book("r4", "a", T0.plusSeconds(2), 500);           // a booking reported without a click of its own
        click("r5", "a", T0.plusSeconds(1));
        book("r5", "a", T0.plusSeconds(2), 1200);          // out of bounds: a dead letter, the click stands
        passStreamTime(T0.plus(WINDOW).plusSeconds(1));

        double[] expected = sum
                ? new double[] {1 + 2.5, 1, 0, 1 + 0.4, 1 + 5, 1}
                : new double[] {2.5, 1, 0, 1, 5, 1};
        Double[] values = {250.0, null, null, 40.0, 500.0, null};
        List<Reward> emitted = rewards.readValuesToList();
        assertEquals(zs.size(), emitted.size(), "one reward per impression");
        for (int i = 0; i < zs.size(); i++) {
            Reward reward = emitted.get(i);
            assertEquals("r" + i, reward.getRequestId(), "rewards leave in the order their windows end");
            assertEquals(expected[i], reward.getReward(), 1e-12, reward.getRequestId());
            assertEquals(values[i], reward.getValue(), reward.getRequestId());
            assertEquals(i == 2 ? RewardKind.NO_CLICK : RewardKind.CLICK, reward.getKind(), reward.getRequestId());
        }
        DeadLetter letter = deadLetters.readValue();
        assertEquals("invalid-value", letter.getReason());
        assertEquals(Topic.CLICKS.name(PREFIX), letter.getSourceTopic());
        assertTrue(letter.getDetail().contains("value 1200.0 is outside [0.0, 1000.0]"), letter.getDetail());
        assertTrue(letter.getDetail().contains("'r5'"), letter.getDetail());
        assertTrue(deadLetters.isEmpty());
        assertEquals(1.0, counter("vitrine.events.dropped", "reason", "click-invalid-value"));
        assertEquals(2.0, counter("vitrine.events.dropped", "reason", "click-duplicate"), "r3's repeat and smaller");

        driver.advanceWallClockTime(PUBLISH);
        PosteriorSnapshot snapshot = posteriors.readKeyValuesToMap().get(SCOPE);
        assertEquals(zs.size(), snapshot.getVersion());
        // The batch fit of those rewards: every sum at once, each reward weighted by the forgetting factor to the
        // power of the rewards after it.
        int d = 2;
        double gamma = FORGETTING.factor();
        double n = 0;
        double yy = 0;
        double[] A = new double[d * d];
        double[] b = new double[d];
        for (int i = 0; i < zs.size(); i++) {
            double w = Math.pow(gamma, zs.size() - 1 - i);
            n += w;
            yy += w * expected[i] * expected[i];
            for (int j = 0; j < d; j++) {
                b[j] += w * expected[i] * zs.get(i).get(j);
                for (int k = 0; k < d; k++) {
                    A[j * d + k] += w * zs.get(i).get(j) * zs.get(i).get(k);
                }
            }
        }
        NormalInverseGammaPosterior fit = NormalInverseGammaPosterior.fromStatistics(
                SufficientStatistics.of(n, A, b, yy, zs.size()), NigPrior.DEFAULT);
        for (int j = 0; j < d; j++) {
            assertEquals(fit.mu()[j], snapshot.getMu().get(j), 1e-9 * Math.max(1, Math.abs(fit.mu()[j])));
        }
        assertEquals(fit.a(), snapshot.getA(), 1e-9 * fit.a());
        assertEquals(fit.bn(), snapshot.getBn(), 1e-9 * fit.bn());
    }

    @Test
    void aNonFiniteValueIsADeadLetterAndLosesNothingAlreadyAccepted() {
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        book("r1", "a", T0.plusSeconds(1), 0.5);
        book("r1", "a", T0.plusSeconds(2), Double.NaN);
        passStreamTime(T0.plus(WINDOW).plusSeconds(1));
        Reward reward = rewards.readValue();
        assertEquals(1.0, reward.getReward(), "max(1, 0.5) under the default rule");
        assertEquals(0.5, reward.getValue());
        DeadLetter letter = deadLetters.readValue();
        assertEquals("invalid-value", letter.getReason());
        assertTrue(letter.getDetail().contains("value NaN is not a finite number"), letter.getDetail());
        assertEquals(1L, letter.getOffset(), "the second booking's place on the clicks topic");
        byte[] raw = new byte[letter.getValue().remaining()];
        letter.getValue().get(raw);
        assertTrue(Double.isNaN(wire.serde(Click.class).deserializer().deserialize("t", raw).getValue()),
                "the dead letter carries the click itself");
    }

    @Test
    void aValueThatArrivesBeforeItsImpressionIsHeldWithTheLargestValue() throws Exception {
        rewardRule = new RewardRule(RewardRule.Combine.WEIGHTED_SUM, 1, 1, 0, 10);
        start(0.0);
        decide("r1", T0, "a", List.of(1f, 0f));
        book("r1", "a", T0.plusSeconds(1), 2);
        book("r1", "a", T0.plusSeconds(2), 3);
        show("r1", "a", T0.plusMillis(500));
        passStreamTime(T0.plus(WINDOW).plusSeconds(1));
        Reward reward = rewards.readValue();
        assertEquals(4.0, reward.getReward());
        assertEquals(T0.plusSeconds(1), reward.getClickTimestamp(), "the first click's time");
    }

    @Test
    void withClickTimingAValueAfterTheRewardLeftIsCountedNotLearned() throws Exception {
        clickRewardAt = ClickRewardTiming.CLICK;
        rewardRule = new RewardRule(RewardRule.Combine.WEIGHTED_SUM, 1, 1, 0, 10);
        start(0.0);
        decide("r1", T0, "a", List.of(1f, 0f));
        show("r1", "a", T0);
        book("r1", "a", T0.plusSeconds(1), 2);
        assertEquals(3.0, rewards.readValue().getReward(), "a value on the first click is combined");
        book("r1", "a", T0.plusSeconds(2), 5);
        assertTrue(rewards.isEmpty());
        assertEquals(1.0, counter("vitrine.events.dropped", "reason", "click-value-after-reward"));
    }

    @Test
    void jsonClicksWithAndWithoutAValueJoinOnTheSameTopic() throws Exception {
        rewardRule = new RewardRule(RewardRule.Combine.WEIGHTED_SUM, 1, 0.5, 0, 10);
        start(0.0);
        var rawClicks = driver.createInputTopic(Topic.CLICKS.name(PREFIX), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        for (String id : List.of("r1", "r2")) {
            decide(id, T0, "a", List.of(1f, 0f));
            show(id, "a", T0);
        }
        rawClicks.pipeInput("r1", json("{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":"
                + T0.plusSeconds(1).toEpochMilli() + "}"), T0.plusSeconds(1));
        rawClicks.pipeInput("r2", json("{\"requestId\":\"r2\",\"candidateId\":\"a\",\"timestamp\":"
                + T0.plusSeconds(1).toEpochMilli() + ",\"value\":4}"), T0.plusSeconds(1));
        passStreamTime(T0.plus(WINDOW).plusSeconds(1));
        Map<String, Reward> byRequest = new java.util.HashMap<>();
        rewards.readValuesToList().forEach(r -> byRequest.put(r.getRequestId(), r));
        assertEquals(1.0, byRequest.get("r1").getReward());
        assertEquals(3.0, byRequest.get("r2").getReward());
        assertEquals(4.0, byRequest.get("r2").getValue());
        assertTrue(deadLetters.isEmpty());
    }

    private static byte[] json(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The only reward on the topic is r1's click at {@code clickedAt}, with its scope and embedding. */
    private void assertTheOneClickReward(Instant clickedAt) {
        Reward reward = rewards.readValue();
        assertEquals(1.0, reward.getReward());
        assertEquals(RewardKind.CLICK, reward.getKind());
        assertEquals(SCOPE, reward.getScope());
        assertEquals(List.of(1f, 0f), reward.getEmbedding());
        assertEquals(clickedAt, reward.getClickTimestamp());
        assertTrue(rewards.isEmpty(), "one impression, one reward");
    }

    /**
     * Lets {@code quiet} of wall time pass as a running stream thread sees it: a punctuation a second, and a fetch
     * completed in each second unless the broker is away.
     */
    private void passWallClock(Duration quiet) {
        for (long s = 0; s < quiet.toSeconds(); s++) {
            if (!brokerAway) {
                fetches++;
            }
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
    }

    /** The join's input lag as {@link ConsumerLag} tells it: caught up only as of a fetch since the previous ask. */
    private boolean behind(int partition) {
        boolean fetchedSince = fetchesAtLastAsk >= 0 && fetches > fetchesAtLastAsk;
        fetchesAtLastAsk = fetches;
        return inputBehind || !fetchedSince;
    }

    /** Moves stream time to {@code at} with a decision that opens no window, so that due windows close. */
    private void passStreamTime(Instant at) {
        decide("tick-" + at.toEpochMilli(), at, "a", List.of(1f, 0f));
    }

    private double counter(String name, String tag, String value) {
        return registry.get(name).tag(tag, value).counter().count();
    }

    private void decide(String requestId, Instant at, String chosenId, List<Float> z) {
        Decision decision = Decision.newBuilder()
                .setRequestId(requestId).setSlot("hero").setScope(SCOPE).setTimestamp(at)
                .setContext(List.of(0.5f))
                .setCandidates(List.of(new Candidate(chosenId, List.of(1f)), new Candidate("other", List.of(2f))))
                .setK(1)
                .setChosen(List.of(new ChosenCandidate(chosenId, 0, 0.3, 0.2, 0.5, z, null)))
                .setSeed(1L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(16)
                .build();
        decisions.pipeInput(requestId, decision, at);
    }

    private void show(String requestId, String candidateId, Instant at) {
        impressions.pipeInput(requestId, new Impression(requestId, candidateId, at), at);
    }

    private void click(String requestId, String candidateId, Instant at) {
        clicks.pipeInput(requestId, new Click(requestId, candidateId, at, null), at);
    }

    /** A click that reports what it led to (a booking of {@code value}). */
    private void book(String requestId, String candidateId, Instant at, double value) {
        clicks.pipeInput(requestId, new Click(requestId, candidateId, at, value), at);
    }
}
