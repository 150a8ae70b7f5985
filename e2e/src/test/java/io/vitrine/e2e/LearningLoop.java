package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.HttpDecisionClient;
import io.vitrine.cli.http.PosteriorSummary;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.sim.DecisionAnswer;
import io.vitrine.cli.sim.DecisionQuery;
import io.vitrine.cli.sim.KafkaEventSink;
import io.vitrine.cli.sim.Progress;
import io.vitrine.cli.sim.SimulationReport;
import io.vitrine.cli.sim.SimulationSettings;
import io.vitrine.cli.sim.Simulator;
import io.vitrine.cli.sim.WindowStats;
import io.vitrine.schemas.Topic;
import io.vitrine.world.ImageWorld;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The whole loop against a running Vitrine, wherever its broker and services run: visitors from the simulator, and
 * a slot whose best image must win.
 *
 * <p>One slot, three images with click rates 5%, 10% and 40% whatever the visitor: a bandit that learns from the loop
 * shows the 40% image most of the time once a few hundred rewards came back. The run is paced (about 12 s) so that
 * the attribution window and the publish interval are small compared with it. The run starts from the prior (every
 * image equally likely) and must end showing the best image most of the time.
 *
 * <p>The learner must run with {@link #ATTRIBUTION_WINDOW} and {@link #PUBLISH_INTERVAL}, and every topic must exist
 * under {@link Topic#DEFAULT_PREFIX}.
 */
final class LearningLoop {

    static final Duration ATTRIBUTION_WINDOW = Duration.ofSeconds(1);
    static final Duration PUBLISH_INTERVAL = Duration.ofMillis(200);
    private static final double[] CLICK_RATES = {0.05, 0.10, 0.40};
    private static final int DECISIONS = 3_000;
    private static final double RATE = 250;
    private static final Duration POSTERIOR_WAIT = Duration.ofMinutes(1);

    /**
     * Where the test reaches a running Vitrine.
     *
     * @param selector         selector base URL
     * @param learner          learner base URL
     * @param bootstrapServers the broker, as the test reaches it (impressions and clicks are written there)
     */
    record Endpoints(URI selector, URI learner, String bootstrapServers) {
    }

    private final HttpClient httpClient = VitrineHttp.newClient();
    private final ObjectMapper json = new ObjectMapper();
    private final VitrineHttp http = new VitrineHttp(httpClient, json);
    private final Endpoints vitrine;
    private final String label;

    /** @param label names the run in what it prints */
    LearningLoop(Endpoints vitrine, String label) {
        this.vitrine = vitrine;
        this.label = label;
    }

    /** Plays the run and asserts that the loop learned which image gets clicked. */
    void runAndCheck() throws Exception {
        EncoderInfo encoder = http.encoder(vitrine.selector());
        String slot = "e2e-hotel/hero";
        ImageWorld world = ImageWorld.fixedRates(slot, CLICK_RATES, encoder.contextFeatures(),
                encoder.candidateFeatures(), 7);
        HttpDecisionClient decisions = new HttpDecisionClient(httpClient, json, vitrine.selector());

        // One decision outside the run names the scope, so the learner can be watched during the run; it is
        // made on the prior (nothing learned yet), where every image is equally likely to be shown.
        DecisionAnswer probe = probe(decisions, world, slot);
        String scope = probe.scope();
        assertEquals(0, probe.posteriorVersion(), "the run starts from the prior");
        List<Long> learnerVersions = new CopyOnWriteArrayList<>();
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
        watcher.scheduleWithFixedDelay(() -> {
            try {
                http.posterior(vitrine.learner(), scope).ifPresent(p -> learnerVersions.add(p.version()));
            } catch (Exception e) {
                // A missed look is fine; the assertions below need a few of them only.
            }
        }, 0, 500, TimeUnit.MILLISECONDS);

        SimulationSettings settings = new SimulationSettings(DECISIONS, 4, 3, RATE, 7, Duration.ofMillis(50),
                Duration.ofMillis(300), SimulationSettings.newRunId());
        SimulationReport report;
        try {
            try (KafkaEventSink events = new KafkaEventSink(vitrine.bootstrapServers(), Topic.DEFAULT_PREFIX)) {
                events.checkTopics();
                report = new Simulator(world, decisions, events, settings, Progress.Listener.none()).run();
            }
        } finally {
            watcher.shutdownNow();
        }
        // The last rewards come an attribution window and a publication after the run, later on a starved machine:
        // wait until the posterior counts more than a third of the run (checked below), for at most a minute.
        long deadline = System.nanoTime() + POSTERIOR_WAIT.toNanos();
        Optional<PosteriorSummary> posterior = http.posterior(vitrine.learner(), scope);
        while (!posterior.map(p -> p.n() > DECISIONS / 3.0).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            posterior = http.posterior(vitrine.learner(), scope);
        }

        WindowStats first = report.buckets().get(0).stats();
        WindowStats last = report.buckets().get(2).stats();
        String figures = String.format("best share %.2f -> %.2f, expected CTR %.3f -> %.3f, selector posterior"
                        + " v%d -> v%d, learner versions seen %s, errors %s", first.bestShare(), last.bestShare(),
                first.expectedCtr(), last.expectedCtr(), report.buckets().get(0).posteriorVersionMax(),
                report.buckets().get(2).posteriorVersionMax(), summary(learnerVersions), report.errorSamples());
        System.err.println(label + ": " + figures);

        assertEquals(0, report.errors(), "failed decision requests: " + figures);
        assertEquals(DECISIONS, report.decisionsMade());
        assertEquals(0, report.eventFailures(), "impressions or clicks not written");
        assertEquals(scope, report.slots().get(0).scope());

        assertTrue(posterior.isPresent(), "the learner has no posterior for " + scope + ": " + figures);
        assertTrue(posterior.get().version() > 0, "posterior version " + posterior.get().version());
        assertTrue(posterior.get().n() > DECISIONS / 3.0, "rewards in the posterior: " + posterior.get().n());
        assertTrue(!learnerVersions.isEmpty() && learnerVersions.get(0) < posterior.get().version(),
                "the learner's posterior grew during the run: " + figures);
        assertTrue(report.buckets().get(2).posteriorVersionMax() > report.buckets().get(0).posteriorVersionMax(),
                "the selector used newer posteriors as the run went on: " + figures);

        // From the prior's 1/3 to most of the time. (How much of that happens within the first third of the run
        // depends on how fast the machine turns clicks into posteriors, so the first third is not compared.)
        assertTrue(last.bestShare() > 0.6, "the best image is chosen most of the time at the end: " + figures);
        assertTrue(last.bestShare() >= first.bestShare() - 0.05, "the share of the best image held: " + figures);
        assertTrue(last.expectedCtr() > ImageWorld.mean(CLICK_RATES) + 0.1, "better than uniform at the end: " + figures);
    }

    private static DecisionAnswer probe(HttpDecisionClient decisions, ImageWorld world, String slot) throws Exception {
        var images = world.slot(0).candidates();
        DecisionAnswer answer = decisions.decide(new DecisionQuery("e2e-probe-" + System.nanoTime(), slot,
                world.visitor(-1).context(),
                images.stream().map(i -> new DecisionQuery.CandidateFeatures(i.id(), i.features())).toList(), 1));
        assertTrue(answer.scope() != null && !answer.scope().isBlank(), "the decision names its scope");
        return answer;
    }

    private static String summary(List<Long> versions) {
        if (versions.isEmpty()) {
            return "none";
        }
        return versions.get(0) + ".." + versions.get(versions.size() - 1) + " (" + versions.size() + " looks)";
    }
}
