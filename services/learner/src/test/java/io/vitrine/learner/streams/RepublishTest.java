package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.PosteriorStatistics;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.schemas.Scopes;
import io.vitrine.schemas.WireFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** After a start the update republishes every stored scope once, a bounded share per publication. */
class RepublishTest {

    /** The largest dimension a posterior holds: few scopes fill a publication's share. */
    private static final int D = DecisionCheck.MAX_DIMENSION;
    private static final long BYTES_PER_SCOPE = PosteriorUpdater.snapshotBytes(D);
    private static final int SCOPES = (int) (2.5 * PosteriorUpdater.REPUBLISH_BYTES_PER_PUBLICATION / BYTES_PER_SCOPE);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final MockProcessorContext<String, Outcome<PosteriorSnapshot>> context = new MockProcessorContext<>();
    private final PosteriorUpdater updater = new PosteriorUpdater(NigPrior.DEFAULT, Forgetting.NONE,
            Duration.ofSeconds(1), new LearnerMetrics(new SimpleMeterRegistry()));
    private KeyValueStore<String, PosteriorStatistics> store;

    @BeforeEach
    void storeOfAnEarlierRun() {
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PosteriorUpdater.STATISTICS_STORE),
                        Serdes.String(), new WireFormat.SingleObject().serde(PosteriorStatistics.class))
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        float[] z = new float[D];
        z[0] = 1;
        for (int i = 0; i < SCOPES; i++) {
            SufficientStatistics stats = SufficientStatistics.empty(D);
            Forgetting.NONE.update(stats, z, 1);
            String scope = scope(i);
            store.put(scope, StatisticsRecords.write(scope, slot(i), "live", stats, T0));
        }
        updater.init(context);
    }

    @Test
    void everyStoredScopeIsRepublishedOnceABoundedShareAtATime() {
        Map<String, Integer> published = new HashMap<>();
        List<Integer> perPublication = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<String> scopes = publish();
            perPublication.add(scopes.size());
            scopes.forEach(scope -> published.merge(scope, 1, Integer::sum));
        }
        int share = (int) Math.ceil(PosteriorUpdater.REPUBLISH_BYTES_PER_PUBLICATION / (double) BYTES_PER_SCOPE);
        assertEquals(List.of(share, share, SCOPES - 2 * share, 0, 0), perPublication,
                "all " + SCOPES + " scopes, " + share + " a publication, then nothing more");
        assertEquals(SCOPES, published.size());
        assertTrue(published.values().stream().allMatch(n -> n == 1), "each scope once: " + published);
    }

    @Test
    void aScopeChangedDuringTheRepublishIsPublishedAtTheNextPublicationAndOnlyOnceInIt() {
        int last = SCOPES - 1; // far from the first share
        int first = 0; // inside it
        reward(last);
        reward(first);
        List<String> scopes = publish();
        assertEquals(scope(last), scopes.get(0), "a changed scope does not wait for its turn in the republish");
        assertEquals(1, scopes.stream().filter(scope(first)::equals).count(), scopes.toString());
        assertEquals(2, versionOf(scope(first)), "its new statistics");
    }

    private List<String> publish() {
        context.resetForwards();
        context.scheduledPunctuators().get(0).getPunctuator().punctuate(T0.toEpochMilli());
        List<String> scopes = new ArrayList<>();
        for (var forward : context.forwarded()) {
            Outcome<PosteriorSnapshot> outcome = forward.record().value();
            assertTrue(outcome instanceof Outcome.Emit<PosteriorSnapshot>, String.valueOf(outcome));
            scopes.add(forward.record().key());
        }
        return scopes;
    }

    private long versionOf(String scope) {
        return context.forwarded().stream().map(f -> ((Outcome.Emit<PosteriorSnapshot>) f.record().value()).value())
                .filter(s -> s.getScope().equals(scope)).findFirst().orElseThrow().getVersion();
    }

    private void reward(int i) {
        List<Float> embedding = new ArrayList<>();
        for (int j = 0; j < D; j++) {
            embedding.add(j == 1 ? 1f : 0f);
        }
        Reward reward = Reward.newBuilder()
                .setRequestId("r" + i).setCandidateId("c").setSlot(slot(i)).setScope(scope(i))
                .setEncoderVersion("live").setReward(1).setKind(RewardKind.CLICK)
                .setDecisionTimestamp(T0).setImpressionTimestamp(T0).setClickTimestamp(T0)
                .setPropensity(0.5).setEmbedding(embedding).setContext(List.of(0.5f))
                .setCandidateFeatures(List.of(0.5f))
                .build();
        updater.process(new Record<>(Scopes.learningKey(scope(i)), reward, T0.toEpochMilli()));
    }

    private static String slot(int i) {
        return String.format("site/slot-%04d", i);
    }

    private static String scope(int i) {
        return Scopes.of(slot(i), "live");
    }
}
