package io.vitrine.learner.streams;

import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.avro.Reward;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.schemas.AvroArrays;
import io.vitrine.schemas.Scopes;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies each reward to its scope's sufficient statistics (a rank-1 update, with optional
 * exponential forgetting, kept in a
 * changelogged store, so exactly-once covers it) and publishes posterior snapshots of the scopes
 * that changed, at most once per {@code publishInterval}. After a start it also publishes every scope the task
 * holds once, a share of them per publication.
 */
public final class PosteriorUpdater implements Processor<String, Reward, String, Outcome<PosteriorSnapshot>> {

    public static final String STATISTICS_STORE = "posterior-statistics";

    /**
     * At most about this many bytes of snapshots a publication adds to republish the stored scopes after a start:
     * all of 100,000 scopes at once (860 MB at d = 32) would be one transaction far longer than the transaction
     * timeout, aborted and retried on every start.
     */
    static final long REPUBLISH_BYTES_PER_PUBLICATION = 8L << 20;

    /** About the bytes of a snapshot of this dimension: its d means and d x d Cholesky factor, 8 bytes each. */
    static long snapshotBytes(int dimension) {
        return 8L * dimension * (dimension + 1);
    }

    private final NigPrior prior;
    private final Forgetting forgetting;
    private final Duration publishInterval;
    private final LearnerMetrics metrics;
    /** Scopes changed since the last publication. */
    private final Set<String> changed = new LinkedHashSet<>();
    /** Republishing after a start: the last scope republished, "" before the first; null once every scope was. */
    private String republishedUpTo;

    private ProcessorContext<String, Outcome<PosteriorSnapshot>> context;
    private KeyValueStore<String, PosteriorStatistics> statistics;

    PosteriorUpdater(NigPrior prior, Forgetting forgetting, Duration publishInterval, LearnerMetrics metrics) {
        this.prior = prior;
        this.forgetting = forgetting;
        this.publishInterval = publishInterval;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Outcome<PosteriorSnapshot>> context) {
        this.context = context;
        this.statistics = context.getStateStore(STATISTICS_STORE);
        // Republish everything this task owns once, a share per publication: a crash may have come before one.
        republishedUpTo = "";
        context.schedule(publishInterval, PunctuationType.WALL_CLOCK_TIME, this::publishChanged);
    }

    @Override
    public void process(Record<String, Reward> record) {
        Reward reward = record.value();
        if (reward == null || record.key() == null) {
            reject(record, "invalid-reward", reward == null ? "a record without a value on the rewards topic"
                    : "rewards are keyed by learning key (the scope without its encoder version); this one has no key");
            return;
        }
        String scope = reward.getScope();
        if (!record.key().equals(Scopes.learningKey(scope))) {
            // On another key it may sit on another partition than its scope's other rewards: its order is lost.
            metrics.invalidReward();
            reject(record, "invalid-reward", "reward of scope '" + scope + "' keyed '" + record.key()
                    + "'; rewards are keyed by the scope without its encoder version, '" + Scopes.learningKey(scope) + "'");
            return;
        }
        float[] z = AvroArrays.floats(reward.getEmbedding());
        if (z.length > DecisionCheck.MAX_DIMENSION) {
            metrics.invalidReward();
            reject(record, "invalid-reward", "embedding of " + z.length + " values, more than the "
                    + DecisionCheck.MAX_DIMENSION + " a posterior holds");
            return;
        }
        PosteriorStatistics stored = statistics.get(scope);
        SufficientStatistics stats;
        try {
            stats = stored == null ? SufficientStatistics.empty(z.length) : StatisticsRecords.read(stored);
            if (stats.dimension() != z.length) {
                metrics.dimensionMismatch();
                reject(record, "dimension-mismatch", "embedding of " + z.length + " values; scope '" + scope
                        + "' has dimension " + stats.dimension());
                return;
            }
            forgetting.update(stats, z, reward.getReward());
        } catch (IllegalArgumentException e) {
            // An empty or non-finite embedding, or a non-finite reward: one bad record must not stop the
            // stream thread, and the statistics stay as they were.
            metrics.invalidReward();
            reject(record, "invalid-reward", e.getMessage());
            return;
        }
        statistics.put(scope, StatisticsRecords.write(scope, reward.getSlot(), reward.getEncoderVersion(), stats,
                Instant.ofEpochMilli(record.timestamp())));
        changed.add(scope);
    }

    private void reject(Record<String, Reward> record, String reason, String detail) {
        metrics.deadLetter(reason);
        var letter = DeadLetters.of(context.recordMetadata(), record.key(), record.value(), reason, detail,
                Instant.ofEpochMilli(Math.max(0, record.timestamp())));
        context.forward(new Record<>(record.key(), new Outcome.Reject<>(letter), record.timestamp()));
    }

    private void publishChanged(long wallClock) {
        for (String scope : changed) {
            PosteriorStatistics stored = statistics.get(scope);
            if (stored != null) {
                context.forward(new Record<>(scope, new Outcome.Emit<>(snapshot(stored, prior)), wallClock));
            }
        }
        if (republishedUpTo != null) {
            republish(wallClock);
        }
        changed.clear();
    }

    /** The next stored scopes in key order, about {@link #REPUBLISH_BYTES_PER_PUBLICATION} of snapshots. */
    private void republish(long wallClock) {
        long bytes = 0;
        try (KeyValueIterator<String, PosteriorStatistics> it = republishedUpTo.isEmpty() ? statistics.all()
                : statistics.range(republishedUpTo, null)) {
            while (bytes < REPUBLISH_BYTES_PER_PUBLICATION) {
                if (!it.hasNext()) {
                    republishedUpTo = null;
                    return;
                }
                var entry = it.next();
                if (entry.key.equals(republishedUpTo)) {
                    continue; // the range starts at the last one republished
                }
                republishedUpTo = entry.key;
                if (!changed.contains(entry.key)) { // just published
                    context.forward(new Record<>(entry.key, new Outcome.Emit<>(snapshot(entry.value, prior)), wallClock));
                    bytes += snapshotBytes(entry.value.getDimension());
                }
            }
        }
    }

    /** The posterior of stored statistics, in the form the selector samples from. */
    public static PosteriorSnapshot snapshot(PosteriorStatistics stored, NigPrior prior) {
        NormalInverseGammaPosterior posterior = NormalInverseGammaPosterior.fromStatistics(StatisticsRecords.read(stored), prior);
        return PosteriorSnapshot.newBuilder()
                .setScope(stored.getScope())
                .setSlot(stored.getSlot())
                .setEncoderVersion(stored.getEncoderVersion())
                .setVersion(stored.getVersion())
                .setDimension(stored.getDimension())
                .setN(stored.getN())
                .setPriorLambda(prior.lambda())
                .setPriorA(prior.a0())
                .setPriorB(prior.b0())
                .setA(posterior.a())
                .setBn(posterior.bn())
                .setMu(AvroArrays.doubleList(posterior.mu()))
                .setCholeskyLower(AvroArrays.doubleList(posterior.choleskyLower()))
                .setUpdatedAt(stored.getUpdatedAt())
                .build();
    }
}
