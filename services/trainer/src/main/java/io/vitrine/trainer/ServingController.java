package io.vitrine.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.GateVerdict;
import io.vitrine.avro.ServingReason;
import io.vitrine.service.encoders.EncoderCatalog;
import io.vitrine.service.encoders.RebuildProgress;
import io.vitrine.service.encoders.ServingFollower;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serializer;
import org.jboss.logging.Logger;

/**
 * Decides which encoder version the selectors serve, and records each change on the {@code encoder-serving} topic.
 * The gate promotes the newest version that passed its verdict, once the learner has rebuilt its posteriors
 * ({@link RebuildProgress}: ready), unless an operator pinned the serving one or refused that version. Operators
 * force, pin, unpin, refuse and roll back through {@link EncodersResource}. One writer (the trainer runs as one
 * instance); every change holds the whole state, so the newest record is all a selector needs.
 */
final class ServingController implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServingController.class);
    /** How many previously served versions a record keeps for rollbacks. */
    private static final int HISTORY = 20;

    /** A version as an operator sees it. */
    record VersionView(String version, String parent, Instant createdAt, String state, long replayRemaining,
                       Boolean gatePassed, String gate, boolean refused, boolean serving) {
    }

    /** The serving state and every version. */
    record View(String serving, boolean pinned, List<String> previous, List<String> refused, String reason,
                String actor, Instant changedAt, List<VersionView> versions) {
    }

    /** An operator's request that cannot be done as asked (409). */
    static final class Refusal extends RuntimeException {
        Refusal(String message) {
            super(message);
        }
    }

    private final ServingFollower follower;
    private final EncoderCatalog catalog;
    private final RebuildProgress progress;
    private final String learnerApplicationId;
    private final BuiltInEncoder builtIn;
    private final boolean gateEnabled;
    private final FencedWriter<EncoderServing> writer;
    private final String topic;
    private final Clock clock;
    private final Map<String, Map<org.apache.kafka.common.TopicPartition, Long>> targets = new ConcurrentHashMap<>();
    private final Map<String, Boolean> ready = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "serving-controller");
        thread.setDaemon(true);
        return thread;
    });
    private Instant lastChange = Instant.EPOCH;

    ServingController(ServingFollower follower, EncoderCatalog catalog, RebuildProgress progress,
                      String learnerApplicationId, BuiltInEncoder builtIn, boolean gateEnabled,
                      Map<String, Object> kafka, String transactionalId, String topic,
                      Serializer<EncoderServing> values, Clock clock, MeterRegistry registry) {
        this.follower = follower;
        this.catalog = catalog;
        this.progress = progress;
        this.learnerApplicationId = learnerApplicationId;
        this.builtIn = builtIn;
        this.gateEnabled = gateEnabled;
        this.writer = new FencedWriter<>(kafka, transactionalId, values, 0, java.time.Duration.ofSeconds(30));
        this.topic = topic;
        this.clock = clock;
        this.registry = registry;
        follower.onChange(change -> servingGauge(change.getVersion()));
    }

    /** True once a newer trainer fenced this one: it promotes nothing more and answers operators with 503. */
    boolean fenced() {
        return writer.fenced();
    }

    void start(java.time.Duration every) {
        servingGauge(builtIn.version());
        worker.scheduleWithFixedDelay(this::promoteIfDue, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void servingGauge(String version) {
        // One series per version ever served: 1 for the serving one, 0 for the others.
        Gauge.builder("vitrine.encoder.serving.info", () -> version.equals(serving()) ? 1 : 0)
                .tag("version", version).description("1 for the encoder version the selectors are told to serve")
                .register(registry);
    }

    /** The version serving now. */
    String serving() {
        return follower.current().map(EncoderServing::getVersion).orElse(builtIn.version());
    }

    private void promoteIfDue() {
        if (writer.fenced() || !follower.caughtUp() || !catalog.caughtUp()) {
            return; // decide on the whole history only
        }
        try {
            synchronized (this) {
                EncoderServing state = follower.current().orElse(null);
                if (state != null && state.getPinned()) {
                    return;
                }
                EncoderVersion next = newestPromotable(state);
                if (next != null) {
                    GateVerdict verdict = next.getGate();
                    write(state, next.getVersion(), false, null, ServingReason.GATE, "gate",
                            verdict == null ? "gate off" : verdict.getReason());
                    Counter.builder("vitrine.encoder.promotions").tag("reason", "gate")
                            .description("Changes of the serving encoder version, by reason").register(registry)
                            .increment();
                }
            }
        } catch (FencedWriter.FencedException e) {
            LOG.errorf("promotions stop: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "promotion check failed");
        }
    }

    /** The newest ready version newer than everything served so far that passed its gate and was not refused. */
    private EncoderVersion newestPromotable(EncoderServing state) {
        for (EncoderVersion v : candidates(state)) {
            if (isReady(v)) {
                return v;
            }
        }
        return null;
    }

    /**
     * The next version to serve while the learner still rebuilds it: the newest version newer than everything served
     * so far that passed its gate, was not refused, and is not ready yet (the one the learner keeps learning as the
     * next to be promoted). The trainer waits for it before it publishes another, which would supersede it.
     */
    Optional<EncoderVersion> candidateRebuilding() {
        if (!follower.caughtUp() || !catalog.caughtUp()) {
            return Optional.empty();
        }
        List<EncoderVersion> candidates = candidates(follower.current().orElse(null));
        return candidates.isEmpty() || isReady(candidates.get(0)) ? Optional.empty() : Optional.of(candidates.get(0));
    }

    /** Versions newer than everything served so far that passed their gate and were not refused, newest first. */
    private List<EncoderVersion> candidates(EncoderServing state) {
        List<String> refused = state == null ? List.of() : state.getRefused();
        List<String> served = new ArrayList<>();
        if (state != null) {
            served.add(state.getVersion());
            served.addAll(state.getPrevious());
        }
        Instant newestServed = Instant.EPOCH;
        for (String version : served) {
            Instant at = catalog.get(version).map(EncoderVersion::getCreatedAt).orElse(Instant.EPOCH);
            newestServed = at.isAfter(newestServed) ? at : newestServed;
        }
        List<EncoderVersion> candidates = new ArrayList<>();
        List<EncoderVersion> all = catalog.all();
        for (int i = all.size() - 1; i >= 0; i--) {
            EncoderVersion v = all.get(i);
            if (!v.getCreatedAt().isAfter(newestServed)) {
                break;
            }
            boolean passed = !gateEnabled || v.getGate() != null && v.getGate().getPromote();
            if (passed && !refused.contains(v.getVersion())) {
                candidates.add(v);
            }
        }
        return candidates;
    }

    private boolean isReady(EncoderVersion version) {
        if (ready.getOrDefault(version.getVersion(), false)) {
            return true; // once caught up, a version stays ready: it learns live from then on
        }
        OptionalLong behind = replayRemaining(version);
        boolean now = behind.isPresent() && behind.getAsLong() == 0;
        if (now) {
            ready.put(version.getVersion(), true);
        }
        return now;
    }

    private OptionalLong replayRemaining(EncoderVersion version) {
        Map<org.apache.kafka.common.TopicPartition, Long> target = targets.computeIfAbsent(version.getVersion(),
                v -> progress.targetOffsets(version.getCreatedAt()));
        return progress.behind(RebuildProgress.applicationId(learnerApplicationId, version.getVersion()), target);
    }

    /** Serves {@code version} now, whatever its gate said; it must be ready (or the built-in encoder). */
    synchronized View force(String version, String actor, String note) {
        EncoderServing state = follower.current().orElse(null);
        requireServable(version);
        List<String> refused = without(state == null ? List.of() : state.getRefused(), version);
        write(state, version, state != null && state.getPinned(), refused, ServingReason.FORCED, actor, note);
        count("forced");
        return view();
    }

    /** Holds the serving version, or serves and holds {@code version}: the gate promotes nothing until unpinned. */
    synchronized View pin(String version, String actor, String note) {
        EncoderServing state = follower.current().orElse(null);
        String target = version == null ? serving() : version;
        if (!target.equals(serving())) {
            requireServable(target);
        }
        List<String> refused = without(state == null ? List.of() : state.getRefused(), target);
        write(state, target, true, refused, ServingReason.PINNED, actor, note);
        count("pinned");
        return view();
    }

    synchronized View unpin(String actor, String note) {
        EncoderServing state = follower.current().orElse(null);
        write(state, serving(), false, null, ServingReason.UNPINNED, actor, note);
        return view();
    }

    /** Never lets the gate promote {@code version}; the serving version cannot be refused (roll back instead). */
    synchronized View refuse(String version, String actor, String note) {
        EncoderServing state = follower.current().orElse(null);
        if (version.equals(serving())) {
            throw new Refusal(version + " is serving: roll back (POST /v1/encoders/rollback) to stop serving it");
        }
        if (!catalog.knows(version)) {
            throw new Refusal("no encoder version " + version + " on the encoders topic");
        }
        List<String> refused = new ArrayList<>(state == null ? List.of() : state.getRefused());
        if (!refused.contains(version)) {
            refused.add(version);
        }
        write(state, serving(), state != null && state.getPinned(), refused, ServingReason.REFUSED, actor, note);
        return view();
    }

    /**
     * Serves the previously served version again and refuses the one it replaces, so that the gate does not bring it
     * back; the replaced version's posteriors stay live (its learner goes on), for a forced return.
     */
    synchronized View rollback(String actor, String note) {
        EncoderServing state = follower.current().orElse(null);
        if (state == null || state.getPrevious().isEmpty()) {
            throw new Refusal("nothing to roll back to: " + serving() + " is the first version served");
        }
        String from = state.getVersion();
        String to = state.getPrevious().get(0);
        List<String> refused = new ArrayList<>(without(state.getRefused(), to));
        if (!from.equals(builtIn.version()) && !refused.contains(from)) {
            refused.add(from);
        }
        EncoderServing record = EncoderServing.newBuilder()
                .setVersion(to)
                .setPrevious(new ArrayList<>(state.getPrevious().subList(1, state.getPrevious().size())))
                .setPinned(state.getPinned())
                .setRefused(refused)
                .setReason(ServingReason.ROLLBACK)
                .setActor(actor)
                .setNote(note)
                .setChangedAt(nextChangeTime())
                .build();
        send(record);
        count("rollback");
        return view();
    }

    private void requireServable(String version) {
        if (version.equals(builtIn.version())) {
            return;
        }
        EncoderVersion v = catalog.get(version).orElseThrow(() -> new Refusal("no encoder version " + version
                + " on the encoders topic"));
        if (!isReady(v)) {
            OptionalLong behind = replayRemaining(v);
            if (v.getGate() != null && !v.getGate().getPromote()) {
                throw new Refusal(version + " was refused by its gate, so the learner does not rebuild its posteriors:"
                        + " it cannot serve (to serve versions whatever the gate says, turn the gate off:"
                        + " vitrine.trainer.gate.enabled=false)");
            }
            throw new Refusal(version + " is not ready: the learner still has "
                    + (behind.isPresent() ? behind.getAsLong() + " rewards" : "an unknown number of rewards")
                    + " to replay before its posteriors hold the log");
        }
    }

    private void write(EncoderServing state, String version, boolean pinned, List<String> refused,
                       ServingReason reason, String actor, String note) {
        List<String> previous = new ArrayList<>();
        String current = state == null ? builtIn.version() : state.getVersion();
        if (!current.equals(version)) {
            previous.add(current);
        }
        if (state != null) {
            for (String p : state.getPrevious()) {
                if (!p.equals(version) && previous.size() < HISTORY) {
                    previous.add(p);
                }
            }
        }
        EncoderServing record = EncoderServing.newBuilder()
                .setVersion(version)
                .setPrevious(current.equals(version) && state != null ? state.getPrevious() : previous)
                .setPinned(pinned)
                .setRefused(refused != null ? refused : state == null ? List.of() : state.getRefused())
                .setReason(reason)
                .setActor(actor)
                .setNote(note)
                .setChangedAt(nextChangeTime())
                .build();
        send(record);
    }

    private void send(EncoderServing record) {
        writer.write(topic, ServingFollower.KEY, record);
        follower.applyOwn(record);
        LOG.infof("serving encoder %s (%s by %s%s)%s", record.getVersion(), record.getReason(), record.getActor(),
                record.getPinned() ? ", pinned" : "", record.getNote() == null ? "" : ": " + record.getNote());
    }

    /** Strictly increasing change times: the followers keep the newest record by its time. */
    private Instant nextChangeTime() {
        Instant now = clock.instant();
        Instant held = follower.current().map(EncoderServing::getChangedAt).orElse(Instant.EPOCH);
        Instant floor = (held.isAfter(lastChange) ? held : lastChange).plusMillis(1);
        lastChange = now.isBefore(floor) ? floor : now;
        return lastChange;
    }

    private void count(String reason) {
        Counter.builder("vitrine.encoder.promotions").tag("reason", reason)
                .description("Changes of the serving encoder version, by reason").register(registry).increment();
    }

    private static List<String> without(List<String> list, String version) {
        List<String> out = new ArrayList<>(list);
        out.remove(version);
        return out;
    }

    /** The serving state and every version with its readiness and verdict. */
    View view() {
        EncoderServing state = follower.current().orElse(null);
        String serving = serving();
        List<String> refused = state == null ? List.of() : state.getRefused();
        List<VersionView> versions = new ArrayList<>();
        versions.add(new VersionView(builtIn.version(), null, null, "READY", 0, null, "built in", false,
                serving.equals(builtIn.version())));
        for (EncoderVersion v : catalog.all()) {
            boolean isReady = isReady(v);
            OptionalLong behind = isReady ? OptionalLong.of(0) : replayRemaining(v);
            GateVerdict gate = v.getGate();
            boolean refusedByGate = gate != null && !gate.getPromote();
            versions.add(new VersionView(v.getVersion(), v.getParent(), v.getCreatedAt(),
                    isReady ? "READY" : refusedByGate ? "NOT_REBUILT" : "REBUILDING", behind.orElse(-1), gate == null ? null : gate.getPromote(),
                    gate == null ? null : gate.getReason(), refused.contains(v.getVersion()),
                    serving.equals(v.getVersion())));
        }
        return new View(serving, state != null && state.getPinned(),
                state == null ? List.of() : state.getPrevious(), refused,
                state == null ? "built in" : state.getReason().name(), state == null ? null : state.getActor(),
                state == null ? null : state.getChangedAt(), versions);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        writer.close();
    }
}
