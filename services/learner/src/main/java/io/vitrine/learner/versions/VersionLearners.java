package io.vitrine.learner.versions;

import io.vitrine.avro.Reward;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.learner.streams.LearnerMetrics;
import io.vitrine.learner.streams.LearnerTopology;
import io.vitrine.schemas.WireFormat;
import io.vitrine.service.encoders.EncoderCatalog;
import io.vitrine.service.encoders.RebuildProgress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.jboss.logging.Logger;

/**
 * One Kafka Streams application per encoder version of the catalog ({@link LearnerTopology#buildVersion}), each with
 * its own application id ({@code <learner id>-v-<version>}), consumer group, state and changelogs, so that each
 * replays the whole reward log exactly once, at its own pace, while the live learner goes on.
 *
 * <p>A version is <em>ready</em> once its application has committed, on every partition of the rewards topic, the
 * offset the log had reached when the version was published (the first reward at or after its creation time, or
 * the end of the partition): its posteriors then hold every reward logged before it existed, and it is learning the
 * live ones. Any instance computes the same answer from the group's committed offsets.
 */
public final class VersionLearners implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(VersionLearners.class);

    /** What a version's learning has done so far. */
    public enum State { REBUILDING, READY, FAILED, RETIRED }

    /**
     * @param behind rewards between the version's committed offsets and its target offsets (0 when ready)
     */
    public record Status(String version, State state, Instant publishedAt, long behind, long target,
                         String applicationId) {
    }

    private final Map<String, Object> streamsConfig;
    private final String applicationId;
    private final Path stateDir;
    private final LearnerTopology.Settings settings;
    private final WireFormat wire;
    private final LearnerMetrics metrics;
    private final String rewardsTopic;
    private final Admin admin;
    private final RebuildProgress progress;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Every version of the catalog, in topic order, and those retired. */
    private final List<EncoderVersion> known = new ArrayList<>();
    private final Map<String, EncoderVersion> retired = new ConcurrentHashMap<>();
    private final int rollbackDepth;
    private final ProcessorSupplier<String, Reward, String, Reward> gate;
    private EncoderServing serving;

    private record Running(EncoderVersion version, KafkaStreams streams, OnnxEncoder encoder, String applicationId,
                           Map<TopicPartition, Long> target, boolean[] ready, Runnable[] gaugeRemover) {

        void removeGauge() {
            if (gaugeRemover[0] != null) {
                gaugeRemover[0].run();
            }
        }
    }

    /**
     * @param rollbackDepth how many versions served before the serving one keep learning ({@link KeptVersions})
     * @param gate          what operators set on each slot, applied before each version's posterior update
     */
    public VersionLearners(Map<String, Object> streamsConfig, LearnerTopology.Settings settings, WireFormat wire,
                           LearnerMetrics metrics, String rewardsTopic, int rollbackDepth,
                           ProcessorSupplier<String, Reward, String, Reward> gate) {
        this.gate = gate;
        this.rollbackDepth = rollbackDepth;
        this.streamsConfig = Map.copyOf(streamsConfig);
        this.applicationId = (String) streamsConfig.get(StreamsConfig.APPLICATION_ID_CONFIG);
        this.stateDir = Path.of(String.valueOf(streamsConfig.get(StreamsConfig.STATE_DIR_CONFIG)), "versions");
        this.settings = settings;
        this.wire = wire;
        this.metrics = metrics;
        this.rewardsTopic = rewardsTopic;
        Map<String, Object> adminConfig = new HashMap<>();
        AdminClientConfig.configNames().stream().filter(streamsConfig::containsKey)
                .forEach(key -> adminConfig.put(key, streamsConfig.get(key)));
        this.admin = Admin.create(adminConfig);
        this.progress = new RebuildProgress(admin, rewardsTopic);
    }

    /** A new version on the encoders topic (catalog thread). */
    public synchronized void offer(EncoderVersion version) {
        known.add(version);
        if (version.getGate() != null && !version.getGate().getPromote()) {
            // A replay of the whole log costs as much as the live learner; a version its gate refused will not serve.
            LOG.infof("encoder version %s not rebuilt: its gate refused it (%s)", version.getVersion(),
                    version.getGate().getReason());
        }
        reconcile();
    }

    /** A new serving record (serving follower's thread). */
    public synchronized void servingChanged(EncoderServing serving) {
        this.serving = serving;
        reconcile();
    }

    /** Starts the versions to keep that do not run, and retires those that run and are no longer kept. */
    private void reconcile() {
        Set<String> kept = KeptVersions.of(known, serving, rollbackDepth);
        for (EncoderVersion version : known) {
            if (kept.contains(version.getVersion()) && !running.containsKey(version.getVersion())) {
                retired.remove(version.getVersion());
                start(version);
            }
        }
        for (String version : List.copyOf(running.keySet())) {
            if (!kept.contains(version)) {
                retire(running.remove(version));
            }
        }
    }

    private void retire(Running r) {
        r.streams().close(java.time.Duration.ofSeconds(30));
        r.encoder().close();
        r.removeGauge();
        retired.put(r.version().getVersion(), r.version());
        LOG.infof("encoder version %s retired: it neither serves, nor is one of the last %d served, nor the next to"
                + " be promoted; its application stopped (its state and offsets stay: kept again, it resumes)",
                r.version().getVersion(), rollbackDepth);
    }

    /** Starts learning a version: its application replays the reward log from its beginning (or resumes). */
    private void start(EncoderVersion version) {
        OnnxEncoder encoder = OnnxEncoder.load(EncoderCatalog.onnx(version));
        if (!encoder.info().version().equals(version.getVersion())) {
            LOG.errorf("encoder version %s not learned: its model names itself %s", version.getVersion(),
                    encoder.info().version());
            encoder.close();
            return;
        }
        String id = RebuildProgress.applicationId(applicationId, version.getVersion());
        Properties props = new Properties();
        props.putAll(streamsConfig);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        KafkaStreams streams = new KafkaStreams(LearnerTopology.buildVersion(settings, wire, metrics, encoder, gate), props);
        Map<TopicPartition, Long> target = progress.targetOffsets(version.getCreatedAt());
        streams.setUncaughtExceptionHandler(e -> {
            LOG.errorf(e, "learning encoder version %s failed", version.getVersion());
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .SHUTDOWN_CLIENT;
        });
        Running learning = new Running(version, streams, encoder, id, target, new boolean[1], new Runnable[1]);
        running.put(version.getVersion(), learning);
        learning.gaugeRemover()[0] = metrics.replayRemaining(version.getVersion(),
                () -> Math.max(0, status(learning).behind()));
        streams.start();
        LOG.infof("learning encoder version %s (%d-%d-%d, application %s): replaying %d rewards of the log",
                version.getVersion(), version.getContextFeatures(), version.getCandidateFeatures(),
                version.getDimension(), id, target.values().stream().mapToLong(Long::longValue).sum());
    }

    /** The application learning {@code version} on this instance, while it learns (rebuilding or ready). */
    public Optional<KafkaStreams> streams(String version) {
        Running learning = running.get(version);
        return learning == null ? Optional.empty() : Optional.of(learning.streams());
    }

    /** Every version this instance learns or retired, oldest first. */
    public List<Status> statuses() {
        List<Status> statuses = new ArrayList<>();
        for (Running r : running.values()) {
            statuses.add(status(r));
        }
        for (EncoderVersion v : retired.values()) {
            statuses.add(new Status(v.getVersion(), State.RETIRED, v.getCreatedAt(), -1, -1,
                    RebuildProgress.applicationId(applicationId, v.getVersion())));
        }
        statuses.sort(Comparator.comparing(Status::publishedAt).thenComparing(Status::version));
        return statuses;
    }

    private Status status(Running r) {
        long target = r.target().values().stream().mapToLong(Long::longValue).sum();
        if (r.streams().state() == KafkaStreams.State.ERROR || r.streams().state() == KafkaStreams.State.NOT_RUNNING
                && !r.ready()[0]) {
            return new Status(r.version().getVersion(), State.FAILED, r.version().getCreatedAt(), -1, target,
                    r.applicationId());
        }
        long behind = r.ready()[0] ? 0 : behind(r);
        if (behind == 0) {
            r.ready()[0] = true; // once caught up, a version stays ready: it learns live from then on
        }
        return new Status(r.version().getVersion(), behind == 0 ? State.READY : State.REBUILDING,
                r.version().getCreatedAt(), Math.max(behind, 0), target, r.applicationId());
    }

    /** Rewards the version's application still has to read to reach its target; -1 when unknown. */
    private long behind(Running r) {
        return progress.behind(r.applicationId(), r.target()).orElse(-1);
    }

    @Override
    public synchronized void close() {
        for (Running r : running.values()) {
            r.streams().close(java.time.Duration.ofSeconds(30));
            r.encoder().close();
        }
        running.clear();
        admin.close();
    }
}
