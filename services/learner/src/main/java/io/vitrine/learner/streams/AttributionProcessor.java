package io.vitrine.learner.streams;

import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Impression;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.schemas.Scopes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Joins decisions, impressions and clicks (all keyed by request id) into rewards.
 *
 * <p>An impression of a chosen candidate opens an attribution window of fixed length. A click on
 * that candidate inside the window makes its reward 1, a window that ends without a click has reward
 * 0; both are emitted when the window ends ({@link ClickRewardTiming#WINDOW_END}, so that clicks do not
 * reach the posterior ahead of non-clicks), or the click's at once ({@link ClickRewardTiming#CLICK}).
 * Windows close by event time (stream time) {@code allowedLateness} after their end, so that a click
 * inside the window that reaches the join a little after events with later timestamps (fetched from another
 * partition, or moved through a repartition topic) still counts; or by wall clock when the task has been quiet for
 * {@code idleCloseDelay}: no event reached it while its wall-clock punctuations kept their pace, and its consumer is
 * known to be caught up with the broker (see {@link #closeDueWhenQuiet}).
 *
 * <p>The three topics are fetched separately, so an impression may be processed before its decision,
 * or a click before its impression. Such an event is held for {@code holdGrace} and applied when
 * its predecessor arrives; if none does, it is dropped and counted (an orphan click). A click on a
 * window already closed by a click counts once (duplicate); a click after its window's end is late.
 * A window that ends without a click emits the configured default reward (0 by default).
 *
 * <p>A click may report a value (a booking, revenue, dwell time: {@code Click.value}); a clicked window's reward is
 * then its click and the largest value its clicks reported, combined by the {@link RewardRule}. Each later click of
 * the window with a larger value raises it (so repeats, in any order, give the same reward); one with no value or a
 * smaller one is a duplicate. A value that is not finite or outside the rule's bounds makes the click a dead letter
 * ({@code invalid-value}) before it touches any window. With {@link ClickRewardTiming#CLICK} the reward leaves at
 * the first click, so a value reported by a later click is counted ({@code click-value-after-reward}), not learned.
 *
 * <p>An impression that cannot be attributed, because its decision never arrived within the grace or
 * because it shows a candidate the decision did not choose, goes to the dead-letter topic with the
 * reason and the topic, partition and offset it was read from. Held impressions are kept as the dead
 * letter they would become, so that their origin survives until the grace ends.
 *
 * <p>State: pending decisions, open windows and held events, plus a deadline index whose keys
 * sort by time so that closing due windows is a range scan, not a scan of everything.
 */
final class AttributionProcessor implements Processor<String, AttributionEvent, String, Outcome<Reward>> {

    static final String DECISIONS_STORE = "attribution-decisions";
    static final String WINDOWS_STORE = "attribution-windows";
    static final String DEADLINES_STORE = "attribution-deadlines";
    static final String HELD_IMPRESSIONS_STORE = "attribution-held-impressions";
    static final String HELD_CLICKS_STORE = "attribution-held-clicks";
    static final String CLOSED_STORE = "attribution-closed";

    private static final String WINDOW = "w";
    private static final String DECISION = "d";
    private static final String HELD_IMPRESSION = "i";
    private static final String HELD_CLICK = "c";
    private static final String CLOSED = "x";

    private final Duration window;
    private final Duration allowedLateness;
    private final Duration decisionRetention;
    private final Duration idleCloseDelay;
    private final Duration holdGrace;
    private final double defaultReward;
    private final RewardRule rewardRule;
    private final LearnerMetrics metrics;

    private ProcessorContext<String, Outcome<Reward>> context;
    private KeyValueStore<String, Decision> decisions;
    private KeyValueStore<String, Reward> windows;
    private KeyValueStore<String, String> deadlines;
    private KeyValueStore<String, DeadLetter> heldImpressions;
    private KeyValueStore<String, Click> heldClicks;
    private KeyValueStore<String, String> closedWindows;
    private final ClickRewardTiming clickRewardAt;
    private final InputLag inputLag;
    /** Wall clock of the last event, or -1 before the first one: until then there is no stream time to extrapolate. */
    private long wallClockAtLastEvent = -1;
    /** Wall clock of the previous wall-clock punctuation. */
    private long wallClockAtLastTick;
    /** Quiet time counted since the last event: only gaps between punctuations that came at their pace. */
    private long quietMs;
    /** True when the previous punctuation asked {@link #inputLag}: its answer is about fetches since that ask. */
    private boolean askedLagAtLastTick;
    /** Running time of this processor: the sum of the gaps between punctuations that came at their pace. */
    private long pacedClockMs;
    /** When (running time) each event still held was held, by deadline value; restored ones are missing. */
    private final Map<String, Long> heldSince = new HashMap<>();
    /** True when the last closing left a held event past its grace, waiting for running time. */
    private boolean heldPastGrace;

    AttributionProcessor(Duration window, Duration allowedLateness, Duration decisionRetention, Duration idleCloseDelay,
                         Duration holdGrace, double defaultReward, RewardRule rewardRule,
                         ClickRewardTiming clickRewardAt, LearnerMetrics metrics, InputLag inputLag) {
        this.clickRewardAt = clickRewardAt;
        this.inputLag = inputLag;
        this.window = window;
        this.allowedLateness = allowedLateness;
        this.decisionRetention = decisionRetention;
        this.idleCloseDelay = idleCloseDelay;
        this.holdGrace = holdGrace;
        this.defaultReward = defaultReward;
        this.rewardRule = rewardRule;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Outcome<Reward>> context) {
        this.context = context;
        this.decisions = context.getStateStore(DECISIONS_STORE);
        this.windows = context.getStateStore(WINDOWS_STORE);
        this.deadlines = context.getStateStore(DEADLINES_STORE);
        this.heldImpressions = context.getStateStore(HELD_IMPRESSIONS_STORE);
        this.heldClicks = context.getStateStore(HELD_CLICKS_STORE);
        this.closedWindows = context.getStateStore(CLOSED_STORE);
        Duration tick = window.compareTo(Duration.ofSeconds(1)) < 0 ? window.dividedBy(4) : Duration.ofMillis(250);
        context.schedule(tick, PunctuationType.STREAM_TIME, this::closeDue);
        wallClockAtLastTick = context.currentSystemTimeMs();
        context.schedule(QUIET_TICK, PunctuationType.WALL_CLOCK_TIME, this::closeDueWhenQuiet);
    }

    /** The last event time accepted: the largest of ISO-8601's four-digit years, far from the end of a long. */
    static final Instant LATEST_EVENT_TIME = Instant.parse("9999-12-31T23:59:59.999Z");

    private static Instant timeOf(AttributionEvent event) {
        if (event instanceof AttributionEvent.Decided decided) {
            return decided.decision().getTimestamp();
        }
        return event instanceof AttributionEvent.Shown shown ? shown.impression().getTimestamp()
                : ((AttributionEvent.Clicked) event).click().getTimestamp();
    }

    /** The pace of the wall-clock punctuation that counts quiet time. */
    static final Duration QUIET_TICK = Duration.ofSeconds(1);

    /**
     * Wall-clock fallback, for a topic that has gone quiet. Only once the task has been quiet for
     * {@code idleCloseDelay} does event time get extrapolated, by the quiet time; while events flow, even events
     * older than stream time (a batch sent late, a replay), windows close by event time alone.
     *
     * <p>Quiet is what the punctuations see at their pace: a gap of more than two ticks between two of them means the
     * stream thread was busy with other tasks, starved of CPU, paused or restoring, and a task that was not run is
     * not quiet (counting that gap closed windows whose clicks and decisions were on the broker, read a moment
     * later). Nor is a task not known to be caught up with the broker: its consumer knows of records there for it (a
     * backlog being caught up), or has not completed a fetch since the previous tick (the broker is away: the records
     * the task waits for may be there, not yet fetched). Either starts the count again.
     *
     * <p>The lag is asked at every tick from one before the delay, not only when windows would close (it comes from
     * the consumer's metrics, not free to read): an answer counts only fetches since the previous ask, so the ask that
     * may close windows needs one a tick before it.
     */
    private void closeDueWhenQuiet(long wallClock) {
        long sinceTick = wallClock - wallClockAtLastTick;
        long quietFrom = Math.max(wallClockAtLastTick, wallClockAtLastEvent);
        boolean lagComparable = askedLagAtLastTick;
        wallClockAtLastTick = wallClock;
        askedLagAtLastTick = false;
        if (wallClockAtLastEvent < 0) {
            return;
        }
        if (sinceTick > 2 * QUIET_TICK.toMillis()) {
            quietMs = 0;
            return;
        }
        pacedClockMs += sinceTick;
        if (heldPastGrace && context.currentStreamTimeMs() >= 0) {
            closeDue(context.currentStreamTimeMs());
        }
        quietMs += Math.max(0, wallClock - quietFrom);
        long streamTime = context.currentStreamTimeMs();
        if (streamTime < 0 || quietMs + QUIET_TICK.toMillis() < idleCloseDelay.toMillis()) {
            return;
        }
        boolean behind = inputLag.behind(context.taskId().partition());
        askedLagAtLastTick = true;
        if (quietMs < idleCloseDelay.toMillis() || !lagComparable) {
            return;
        }
        if (behind) {
            quietMs = 0;
            return;
        }
        closeDue(streamTime + quietMs);
    }

    @Override
    public void process(Record<String, AttributionEvent> record) {
        wallClockAtLastEvent = context.currentSystemTimeMs();
        quietMs = 0;
        AttributionEvent event = record.value();
        if (event.value() == null) {
            reject(DeadLetters.of(context.recordMetadata(), record.key(), null, "empty-value",
                    "a record without a value (a tombstone?) on an event topic", Instant.ofEpochMilli(
                            Math.max(0, record.timestamp()))));
        } else if (record.key() == null) {
            // Without the request id as key the event cannot be on its request's partition: it can never join.
            reject(DeadLetters.of(context.recordMetadata(), null, event.value(), "missing-key",
                    "events are keyed by request id; this one has no key", Instant.ofEpochMilli(record.timestamp())));
        } else if (timeOf(event).isBefore(Instant.EPOCH) || timeOf(event).isAfter(LATEST_EVENT_TIME)) {
            // A clock or a field gone wrong, never an event to wait for. Before 1970 its reward or dead letter would
            // get a negative record timestamp, which Kafka refuses; far ahead, its retention, window or hold would end
            // past what a millisecond timestamp holds. Either stopped the stream thread.
            reject(DeadLetters.of(context.recordMetadata(), record.key(), event.value(), "invalid-time",
                    "event time " + timeOf(event) + " is outside [" + Instant.EPOCH + ", " + LATEST_EVENT_TIME + "]",
                    Instant.ofEpochMilli(Math.max(0, record.timestamp()))));
        } else if (event instanceof AttributionEvent.Decided decided) {
            onDecision(decided.decision());
        } else if (event instanceof AttributionEvent.Shown shown) {
            onImpression(shown.impression(), null);
        } else if (event instanceof AttributionEvent.Clicked clicked) {
            Click click = clicked.click();
            String invalid = click.getValue() == null ? null : rewardRule.problem(click.getValue());
            if (invalid != null) {
                metrics.invalidValue();
                reject(DeadLetters.of(context.recordMetadata(), record.key(), click, "invalid-value", invalid
                        + " in the click of candidate '" + click.getCandidateId() + "' for request '"
                        + click.getRequestId() + "'", click.getTimestamp()));
            } else {
                onClick(click);
            }
        }
    }

    private void onDecision(Decision decision) {
        String requestId = decision.getRequestId();
        String invalid = DecisionCheck.problem(decision);
        if (invalid != null) {
            reject(DeadLetters.of(context.recordMetadata(), requestId, decision, "invalid-decision", invalid,
                    decision.getTimestamp()));
            return;
        }
        if (decisions.get(requestId) != null) {
            return; // a re-sent decision: the first one stands
        }
        decisions.put(requestId, decision);
        schedule(decision.getTimestamp().plus(decisionRetention), DECISION, requestId);
        for (DeadLetter held : release(heldImpressions, requestId + "/")) {
            Impression impression = impressionOf(held);
            heldSince.remove(HELD_IMPRESSION + ":" + windowKey(requestId, impression.getCandidateId()));
            onImpression(impression, held);
        }
    }

    /** Removes and returns the held events whose key starts with {@code prefix}. */
    private static <V> List<V> release(KeyValueStore<String, V> held, String prefix) {
        List<KeyValue<String, V>> found = new ArrayList<>();
        try (KeyValueIterator<String, V> it = held.prefixScan(prefix, new StringSerializer())) {
            it.forEachRemaining(found::add);
        }
        List<V> values = new ArrayList<>(found.size());
        for (KeyValue<String, V> entry : found) {
            held.delete(entry.key);
            values.add(entry.value);
        }
        return values;
    }

    /**
     * @param held the impression as held (with where it was read from), or null when it is the record in process
     */
    private void onImpression(Impression impression, DeadLetter held) {
        Decision decision = decisions.get(impression.getRequestId());
        String windowKey = windowKey(impression.getRequestId(), impression.getCandidateId());
        if (decision == null) {
            // The decision may still be on its way (another topic, fetched separately): hold on.
            if (heldImpressions.get(windowKey) == null) {
                heldImpressions.put(windowKey, held != null ? held : origin(impression));
                schedule(impression.getTimestamp().plus(holdGrace), HELD_IMPRESSION, windowKey);
            } else {
                metrics.duplicateImpression();
            }
            return;
        }
        ChosenCandidate chosen = findChosen(decision, impression.getCandidateId());
        if (chosen == null) {
            metrics.unknownCandidate();
            reject(held != null ? held : origin(impression), "unknown-candidate", "impression of candidate '" + impression.getCandidateId()
                    + "', which decision '" + impression.getRequestId() + "' did not choose");
            return;
        }
        if (windows.get(windowKey) != null || closedWindows.get(windowKey) != null) {
            // Open, or already closed into a reward: a repeat (a client's retry) never makes a second reward.
            metrics.duplicateImpression();
            return;
        }
        windows.put(windowKey, noClickReward(decision, chosen, impression));
        schedule(impression.getTimestamp().plus(window).plus(allowedLateness), WINDOW, windowKey);
        Click heldClick = heldClicks.delete(windowKey);
        if (heldClick != null) {
            heldSince.remove(HELD_CLICK + ":" + windowKey);
            onClick(heldClick);
        }
    }

    private void onClick(Click click) {
        String windowKey = windowKey(click.getRequestId(), click.getCandidateId());
        Reward pending = windows.get(windowKey);
        if (pending == null) {
            String closedAs = closedWindows.get(windowKey);
            if (closedAs != null) {
                // The window is over: a second click on a clicked window counts once; any other is late.
                if (RewardKind.CLICK.name().equals(closedAs) && click.getValue() != null
                        && clickRewardAt == ClickRewardTiming.CLICK) {
                    metrics.valueAfterReward();
                } else if (RewardKind.CLICK.name().equals(closedAs)) {
                    metrics.duplicateClick();
                } else {
                    metrics.lateClick();
                }
            } else {
                Click held = heldClicks.get(windowKey);
                if (held == null) {
                    // Its impression may still be on its way: hold the click for the grace period.
                    heldClicks.put(windowKey, click);
                    schedule(click.getTimestamp().plus(holdGrace), HELD_CLICK, windowKey);
                } else if (larger(click.getValue(), held.getValue())) {
                    held.setValue(click.getValue()); // the first click's time stands, with the largest value
                    heldClicks.put(windowKey, held);
                } else {
                    metrics.duplicateClick();
                }
            }
            return;
        }
        Instant end = pending.getImpressionTimestamp().plus(window);
        if (click.getTimestamp().isAfter(end)) {
            metrics.lateClick();
            return;
        }
        if (pending.getKind() == RewardKind.CLICK) {
            // A second click on a window that waits for its end to emit the first: only a larger value changes it.
            if (larger(click.getValue(), pending.getValue())) {
                pending.setValue(click.getValue());
                pending.setReward(rewardRule.reward(click.getValue()));
                windows.put(windowKey, pending);
            } else {
                metrics.duplicateClick();
            }
            return;
        }
        pending.setReward(rewardRule.reward(click.getValue()));
        pending.setValue(click.getValue());
        pending.setKind(RewardKind.CLICK);
        pending.setClickTimestamp(click.getTimestamp());
        if (clickRewardAt == ClickRewardTiming.WINDOW_END) {
            windows.put(windowKey, pending); // emitted by closeDue when the window ends
        } else {
            windows.delete(windowKey);
            emit(pending, click.getTimestamp().toEpochMilli());
        }
    }

    /**
     * Emits the reward of every window that ended at or before {@code now} (0, or 1 for a click held to the end of
     * its window); forgets old decisions.
     */
    private void closeDue(long now) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = deadlines.range(deadlineKey(0, "", ""), deadlineKey(now, "~", ""))) {
            while (it.hasNext()) {
                due.add(it.next());
            }
        }
        heldPastGrace = false;
        for (KeyValue<String, String> entry : due) {
            String kind = entry.value.substring(0, 1);
            String key = entry.value.substring(2);
            if (stillHeldToRun(kind, key)) {
                heldPastGrace = true;
                continue; // its deadline entry stays: looked at again at the next punctuation
            }
            deadlines.delete(entry.key);
            switch (kind) {
                case WINDOW -> {
                    Reward pending = windows.delete(key);
                    if (pending != null) {
                        emit(pending, pending.getImpressionTimestamp().plus(window).toEpochMilli());
                    }
                }
                case HELD_IMPRESSION -> {
                    heldSince.remove(entry.value);
                    DeadLetter held = heldImpressions.delete(key);
                    if (held != null) {
                        metrics.unknownDecision();
                        reject(held, "unknown-decision", "no decision '" + key.substring(0, key.lastIndexOf('/'))
                                + "' arrived within " + holdGrace + " of the impression");
                    }
                }
                case HELD_CLICK -> {
                    heldSince.remove(entry.value);
                    if (heldClicks.delete(key) != null) {
                        metrics.orphanClick();
                    }
                }
                case CLOSED -> closedWindows.delete(key);
                default -> decisions.delete(key);
            }
        }
    }

    /**
     * True for a held event whose grace has passed in event time but which the task has not yet held for the grace in
     * running time as well. Its predecessor may have come off its request's partition and be on its way through a
     * repartition topic: written there when the task that read it commits, read here at a later poll. Stream time can
     * meanwhile run far ahead (a backlog is read in seconds; a thread that stalled reads everything that came in the
     * meantime at once), so the grace in event time alone gave up on decisions that were a commit away. Running time
     * is the punctuations' paced time, which a stalled thread does not advance; live, it passes as event time does,
     * so the grace is what it was. (A few seconds of running time were not enough: a thread catching up a backlog on
     * a loaded machine processes its buffers for longer than that before it polls again.)
     */
    private boolean stillHeldToRun(String kind, String key) {
        if (!HELD_IMPRESSION.equals(kind) && !HELD_CLICK.equals(kind)) {
            return false;
        }
        boolean held = HELD_IMPRESSION.equals(kind) ? heldImpressions.get(key) != null : heldClicks.get(key) != null;
        // Held before this processor started (restored from the changelog): its running time counts from the start.
        return held && pacedClockMs - heldSince.getOrDefault(kind + ":" + key, 0L) < holdGrace.toMillis();
    }

    /** True when {@code value} is a value and {@code than} is none or smaller. */
    private static boolean larger(Double value, Double than) {
        return value != null && (than == null || value > than);
    }

    private void emit(Reward reward, long timestamp) {
        // Remember how the window closed, long enough to tell duplicate and late clicks from orphans, and as long as
        // the decision is kept: a repeated impression finds its decision until then, and must not open a new window.
        String windowKey = windowKey(reward.getRequestId(), reward.getCandidateId());
        closedWindows.put(windowKey, reward.getKind().name());
        Instant forClicks = reward.getImpressionTimestamp().plus(window).plus(allowedLateness).plus(holdGrace);
        Instant forDecision = reward.getDecisionTimestamp().plus(decisionRetention);
        schedule(forDecision.isAfter(forClicks) ? forDecision : forClicks, CLOSED, windowKey);
        metrics.reward(reward.getKind());
        // Keyed by learning key: every reward of a slot on one partition, whatever encoder made its decision.
        context.forward(new Record<>(Scopes.learningKey(reward.getScope()), new Outcome.Emit<>(reward), timestamp));
    }

    private void reject(DeadLetter origin, String reason, String detail) {
        reject(DeadLetter.newBuilder(origin).setReason(reason).setDetail(detail).build());
    }

    private void reject(DeadLetter letter) {
        metrics.deadLetter(letter.getReason());
        context.forward(new Record<>(DeadLetters.keyOf(letter), new Outcome.Reject<>(letter),
                letter.getTimestamp().toEpochMilli()));
    }

    /**
     * The impression in process as a dead letter-to-be: its bytes and the topic, partition and offset it was
     * read from (built only when needed: most impressions are attributed at once).
     */
    private DeadLetter origin(Impression impression) {
        return DeadLetters.of(context.recordMetadata(), impression.getRequestId(), impression, "held", "",
                impression.getTimestamp());
    }

    private static Impression impressionOf(DeadLetter held) {
        try {
            return Impression.getDecoder().decode(held.getValue().duplicate());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a held impression cannot be read back", e); // written by origin()
        }
    }

    private void schedule(Instant deadline, String kind, String key) {
        deadlines.put(deadlineKey(deadline.toEpochMilli(), kind, key), kind + ":" + key);
        if (HELD_IMPRESSION.equals(kind) || HELD_CLICK.equals(kind)) {
            heldSince.put(kind + ":" + key, pacedClockMs);
        }
    }

    /**
     * Zero-padded to 19 digits so that the byte order of keys is the time order. Built by hand: String.format took
     * 9% of the stream thread at 4,000 requests/s (one key per window, held event and close).
     */
    static String deadlineKey(long epochMillis, String kind, String key) {
        String millis = Long.toString(Math.max(0, epochMillis));
        StringBuilder built = new StringBuilder(21 + kind.length() + key.length());
        built.append("0".repeat(19 - millis.length())).append(millis);
        return built.append('/').append(kind).append('/').append(key).toString();
    }

    private static String windowKey(String requestId, String candidateId) {
        return requestId + "/" + candidateId;
    }

    private static ChosenCandidate findChosen(Decision decision, String candidateId) {
        for (ChosenCandidate chosen : decision.getChosen()) {
            if (chosen.getCandidateId().equals(candidateId)) {
                return chosen;
            }
        }
        return null;
    }

    private Reward noClickReward(Decision decision, ChosenCandidate chosen, Impression impression) {
        List<Float> candidateFeatures = List.of();
        for (var candidate : decision.getCandidates()) {
            if (candidate.getId().equals(chosen.getCandidateId())) {
                candidateFeatures = candidate.getFeatures();
                break;
            }
        }
        return Reward.newBuilder()
                .setRequestId(decision.getRequestId())
                .setCandidateId(chosen.getCandidateId())
                .setSlot(decision.getSlot())
                .setScope(chosen.getScope() != null ? chosen.getScope() : decision.getScope())
                .setEncoderVersion(decision.getEncoderVersion())
                .setReward(defaultReward)
                .setKind(RewardKind.NO_CLICK)
                .setDecisionTimestamp(decision.getTimestamp())
                .setImpressionTimestamp(impression.getTimestamp())
                .setClickTimestamp(null)
                .setPropensity(chosen.getPropensity())
                .setEmbedding(chosen.getEmbedding())
                .setContext(decision.getContext())
                .setCandidateFeatures(candidateFeatures)
                .setK(decision.getK())
                .setCandidates(decision.getCandidates())
                .build();
    }
}
