package io.vitrine.trainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.GateVerdict;
import io.vitrine.avro.TrainingSummary;
import io.vitrine.core.train.BilinearTraining;
import io.vitrine.core.train.HeldOutReport;
import io.vitrine.core.train.Mlp;
import io.vitrine.core.train.MlpOnnxExporter;
import io.vitrine.core.train.RewardNetworkTraining;
import io.vitrine.core.train.TrainingRecipe;
import io.vitrine.service.encoders.EncoderCatalog;
import io.vitrine.service.encoders.ServingFollower;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Decides when to train, trains with the shared recipe ({@link RewardNetworkTraining}), and publishes each result as an
 * encoder version. A training starts when {@code everyRewards} new rewards arrived, or when {@code every} passed with
 * at least {@code minRewards} new ones, or on request. Trainings run one at a time on one thread; each starts from
 * the serving network when this trainer made it (warm start, as the recipe says) and names it as the version's
 * parent. The newest rewards are held out of the training for the {@link Gate}, whose verdict the version carries.
 */
final class Trainer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Trainer.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
            .withZone(ZoneOffset.UTC);

    /** One published version, with the numbers it was published with. */
    record Trained(String version, String parent, Instant createdAt, HeldOutReport report, Instant from, Instant to,
                   Duration took, boolean gatePassed, String gate) {
    }

    /** What the trainer is doing, for {@code GET /v1/trainer}. */
    record Status(boolean automatic, long rewardsReceived, int rewardsBuffered, long rewardsSinceTraining,
                  long rewardsDropped, List<Trained> versions, String lastError) {
    }

    private final TrainerConfig.Trainer settings;
    private final RewardBuffer buffer;
    private final EncoderPublisher publisher;
    private final Clock clock;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "trainer");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Trained> trained = new ArrayList<>();
    private final Counter versionsCounter;
    private final Timer trainingTimer;
    private final Gate gate;
    private final ServingFollower serving;
    private final EncoderCatalog catalog;
    private final BuiltInEncoder builtIn;
    private final Supplier<Optional<EncoderVersion>> candidateRebuilding;
    /** The networks this trainer made, by version: a new training starts from the serving one's. */
    private final Map<String, Mlp> networks = new ConcurrentHashMap<>();
    private final Counter promoteVerdicts;
    private final Counter refuseVerdicts;
    private Instant lastTraining;
    private String lastError;
    /** The candidate a due training last waited for, so that the wait is logged once. */
    private String waitedFor;

    Trainer(TrainerConfig.Trainer settings, RewardBuffer buffer, EncoderPublisher publisher, Gate gate,
            ServingFollower serving, EncoderCatalog catalog, BuiltInEncoder builtIn,
            Supplier<Optional<EncoderVersion>> candidateRebuilding, Clock clock, MeterRegistry registry) {
        this.settings = settings;
        this.candidateRebuilding = candidateRebuilding;
        this.gate = gate;
        this.serving = serving;
        this.catalog = catalog;
        this.builtIn = builtIn;
        this.promoteVerdicts = Counter.builder("vitrine.gate.verdicts").tag("verdict", "promote")
                .description("Gate verdicts on trained versions").register(registry);
        this.refuseVerdicts = Counter.builder("vitrine.gate.verdicts").tag("verdict", "refuse")
                .description("Gate verdicts on trained versions").register(registry);
        this.buffer = buffer;
        this.publisher = publisher;
        this.clock = clock;
        this.lastTraining = clock.instant();
        this.versionsCounter = Counter.builder("vitrine.trainer.versions").description("Encoder versions published")
                .register(registry);
        this.trainingTimer = Timer.builder("vitrine.trainer.training").description("Time of one training")
                .register(registry);
        Gauge.builder("vitrine.trainer.rewards.buffered", buffer, RewardBuffer::size)
                .description("Rewards kept to train on").register(registry);
        Gauge.builder("vitrine.trainer.rewards.since.training", buffer, RewardBuffer::sinceTraining)
                .description("Rewards that arrived since the last training").register(registry);
    }

    void start() {
        if (settings.enabled()) {
            worker.scheduleWithFixedDelay(this::trainIfDue, 1, 1, TimeUnit.SECONDS);
        }
    }

    private void trainIfDue() {
        if (publisher.fenced()) {
            return; // a newer trainer publishes now
        }
        long fresh = buffer.sinceTraining();
        boolean enough = fresh >= settings.everyRewards();
        boolean periodic = fresh >= settings.minRewards()
                && Duration.between(lastTraining, clock.instant()).compareTo(settings.every()) >= 0;
        if ((enough || periodic) && !waitingForRebuild()) {
            try {
                train();
            } catch (FencedWriter.FencedException e) {
                LOG.errorf("training stops: %s", e.getMessage());
            } catch (RuntimeException e) {
                LOG.errorf(e, "training failed");
            }
        }
    }

    /**
     * Whether a due training waits: while the learner rebuilds the next version to serve, a newer version would
     * supersede it (the learner keeps one candidate) and throw its replay away; published faster than the learner
     * rebuilds, no version would ever take over. So the next training waits until the candidate is ready (it then
     * trains on every reward that came meanwhile), for at most {@code rebuild-wait} after the candidate's publication.
     */
    private boolean waitingForRebuild() {
        if (settings.rebuildWait().isZero()) {
            return false;
        }
        Optional<EncoderVersion> candidate = candidateRebuilding.get();
        if (candidate.isEmpty()
                || Duration.between(candidate.get().getCreatedAt(), clock.instant()).compareTo(settings.rebuildWait()) >= 0) {
            return false;
        }
        if (!candidate.get().getVersion().equals(waitedFor)) {
            waitedFor = candidate.get().getVersion();
            LOG.infof("next training waits for the rebuild of %s (at most %s after its publication)", waitedFor,
                    settings.rebuildWait());
        }
        return true;
    }

    /**
     * Trains now on the buffered rewards (on the trainer's thread, after any training in progress).
     *
     * @param warmStart false to start from fresh weights rather than the newest network that passed its gate
     */
    Trained trainNow(Duration timeout, boolean warmStart) throws Exception {
        return worker.submit(() -> train(warmStart)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Trained train() {
        return train(true);
    }

    private Trained train(boolean warmStart) {
        Instant started = clock.instant();
        lastTraining = started;
        RewardBuffer.Snapshot data = buffer.take();
        int total = data.rows().size();
        int heldOut = settings.gate().enabled() ? gate.holdout(total) : 0;
        int trainedOn = total - heldOut;
        if (trainedOn < settings.minRewards()) {
            throw remember(new IllegalStateException("only " + trainedOn + " rewards to train on (" + total
                    + " kept, " + heldOut + " held out for the gate); at least " + settings.minRewards()
                    + " (vitrine.trainer.min-rewards) are needed"));
        }
        int contextFeatures = data.contextFeatures();
        int candidateFeatures = data.candidateFeatures();
        String provisional = "t" + STAMP.format(started);
        String servingVersion = servingVersion();
        String parentVersion = null;
        Fitted result;
        try {
            if (settings.form() == TrainerConfig.Form.BILINEAR) {
                // A convex fit solved exactly: nothing to warm-start from.
                BilinearTraining.Result fit = BilinearTraining.train(data.trainingRows(0, trainedOn),
                        new BilinearTraining.Settings(settings.penalty(), BilinearTraining.Settings.defaults()
                                .heldOutFraction()));
                result = new Fitted(null, fit.report(), fit.encoder().embeddingDimension(), fit.encoder()::toOnnx);
            } else {
                TrainingRecipe recipe = TrainingRecipe.defaults()
                        .withSchedule(settings.steps(), TrainingRecipe.defaults().batchSize())
                        .withSeed(settings.seed() + trained.size());
                parentVersion = warmStart ? warmStartVersion(servingVersion) : null;
                Mlp parent = parentVersion == null ? null : networks.get(parentVersion);
                RewardNetworkTraining.Result fit = RewardNetworkTraining.train(data.trainingRows(0, trainedOn), parent,
                        recipe);
                Mlp network = fit.network();
                result = new Fitted(network, fit.report(), network.embeddingDimension(),
                        v -> MlpOnnxExporter.export(network, contextFeatures, candidateFeatures, v));
            }
        } catch (IllegalArgumentException e) {
            throw remember(new IllegalStateException("the rewards cannot be trained on: " + e.getMessage(), e));
        }
        byte[] model = result.export().apply(provisional);
        // The version names its model: a stamp and the start of the model's hash, unique and stable.
        String version = provisional + "-" + sha256(model).substring(0, 8);
        model = result.export().apply(version);
        HeldOutReport report = result.report();
        GateVerdict verdict = !settings.gate().enabled() ? null : gate.judge(data.rows().subList(0, trainedOn),
                data.rows().subList(trainedOn, total), model, servingVersion, servingModel(servingVersion),
                settings.seed() + trained.size(), clock.instant());
        if (verdict != null) {
            (verdict.getPromote() ? promoteVerdicts : refuseVerdicts).increment();
        }
        boolean passed = verdict == null || verdict.getPromote();
        String gateSays = verdict == null ? "off" : verdict.getReason();
        Instant trainedTo = data.rows().get(trainedOn - 1).at();
        EncoderVersion record = EncoderVersion.newBuilder()
                .setVersion(version)
                .setParent(parentVersion)
                .setCreatedAt(clock.instant())
                .setContextFeatures(contextFeatures)
                .setCandidateFeatures(candidateFeatures)
                .setDimension(result.dimension())
                .setOnnx(ByteBuffer.wrap(model))
                .setSha256(sha256(model))
                .setTrainedOn(new TrainingSummary((long) report.rows(), data.from(), trainedTo, report.heldOutLoss(),
                        report.baselineLoss(), report.heldOutAuc()))
                .setGate(verdict)
                .build();
        try {
            publisher.publish(record);
        } catch (FencedWriter.FencedException e) {
            throw remember(e);
        }
        Duration took = Duration.between(started, clock.instant());
        trainingTimer.record(took);
        versionsCounter.increment();
        Trained done = new Trained(version, record.getParent(), record.getCreatedAt(), report, data.from(), trainedTo,
                took, passed, gateSays);
        synchronized (trained) {
            trained.add(done);
        }
        if (result.network() != null) {
            networks.put(version, result.network());
        }
        lastError = null;
        LOG.infof("trained encoder %s on %d rewards (%s to %s) in %d ms: held-out loss %.4f against %.4f for a "
                        + "constant, AUC %.3f%s; gate: %s %s", version, report.rows(), data.from(), trainedTo,
                took.toMillis(), report.heldOutLoss(), report.baselineLoss(), report.heldOutAuc(),
                report.beatsConstant() ? "" : " (no better than the constant)",
                passed ? "pass," : "refused,", gateSays);
        return done;
    }

    /**
     * The network a training starts from: the newest this trainer made that passed its gate and that no operator
     * refused (it is serving or about to), else the serving one if this trainer made it; null for a cold start.
     */
    private String warmStartVersion(String servingVersion) {
        List<String> refused = serving.current().map(EncoderServing::getRefused).orElse(List.of());
        synchronized (trained) {
            for (int i = trained.size() - 1; i >= 0; i--) {
                Trained t = trained.get(i);
                if (t.gatePassed() && networks.containsKey(t.version())
                        && !refused.contains(t.version())) {
                    return t.version();
                }
            }
        }
        return networks.containsKey(servingVersion) ? servingVersion : null;
    }

    /** The version the selectors serve now: the newest serving record's, or the built-in encoder's. */
    private String servingVersion() {
        return serving.current().map(EncoderServing::getVersion).orElse(builtIn.version());
    }

    private Optional<byte[]> servingModel(String version) {
        if (version.equals(builtIn.version())) {
            return Optional.of(builtIn.model());
        }
        return catalog.get(version).map(EncoderCatalog::onnx);
    }

    private IllegalStateException remember(IllegalStateException e) {
        lastError = e.getMessage();
        return e;
    }

    Status status() {
        synchronized (trained) {
            return new Status(settings.enabled(), buffer.received(), buffer.size(), buffer.sinceTraining(),
                    buffer.dropped(), List.copyOf(trained), lastError);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }

    /** What a training of either form gives: the network when there is one to warm-start from, and the export. */
    private record Fitted(Mlp network, HeldOutReport report, int dimension,
                          Function<String, byte[]> export) {
    }
}
