package io.vitrine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.HttpDecisionClient;
import io.vitrine.cli.http.PosteriorSummary;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.report.ConsoleProgress;
import io.vitrine.cli.report.ReportPrinter;
import io.vitrine.cli.report.RunRecord;
import io.vitrine.cli.sim.KafkaEventSink;
import io.vitrine.cli.sim.SimulationReport;
import io.vitrine.cli.sim.SimulationSettings;
import io.vitrine.cli.sim.Simulator;
import io.vitrine.world.ImageWorld;
import io.vitrine.world.WorldSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One simulation against running services, as {@code demo} and {@code simulate} share it: read the
 * feature layout, build the world, play the visitors, read the learner's posteriors, print and save.
 */
final class SimulationRun {

    /**
     * Once traffic stops, the learner closes the last attribution windows by wall clock after this
     * delay (its {@code vitrine.learner.idle-close-delay} default): only then do no-click rewards count.
     */
    private static final Duration LEARNER_IDLE_CLOSE = Duration.ofSeconds(5);

    private final PrintStream out;
    private final PrintStream err;
    private final HttpClient httpClient = VitrineHttp.newClient();
    private final ObjectMapper json = new ObjectMapper();
    private final VitrineHttp http = new VitrineHttp(httpClient, json);

    SimulationRun(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The services this run talks to. */
    record Target(URI selector, Optional<URI> learner, String bootstrapServers, String topicPrefix,
                  Duration attributionWindow, Duration publishInterval, Optional<URI> trainer) {
    }

    /** Runs the simulation; returns the process exit code (0: passed). */
    int run(String command, Target target, SimulationOptions options, Path defaultOutDir,
            Map<String, Object> extraSettings) throws IOException, InterruptedException {
        String startedAt = ZonedDateTime.now().toOffsetDateTime().toString();
        EncoderInfo encoder;
        try {
            encoder = http.encoder(target.selector());
        } catch (IOException e) {
            throw new IOException("cannot read the feature layout from " + target.selector() + "v1/encoder (is the"
                    + " selector running?): " + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
        ImageWorld world = ImageWorld.generate(new WorldSpec(options.slots, options.candidates,
                encoder.contextFeatures(), encoder.candidateFeatures(), options.seed));
        SimulationSettings settings = SimulationSettings
                .of(options.decisions, options.concurrency, options.seed, target.attributionWindow())
                .withBuckets((int) Math.min(options.buckets, options.decisions))
                .withRate(options.rate);
        err.printf("world: %d slots x %d candidates (seed %d); encoder %s: %d context + %d candidate features,"
                        + " dimension %d%n", options.slots, options.candidates, options.seed, encoder.version(),
                encoder.contextFeatures(), encoder.candidateFeatures(), encoder.dimension());
        err.printf("playing %,d visitors, %d at a time; clicks come %d-%d ms after the impression%n",
                options.decisions, options.concurrency, settings.clickDelayMin().toMillis(),
                settings.clickDelayMax().toMillis());

        SimulationReport report;
        EncoderWatch watch = target.trainer().map(t -> new EncoderWatch(http, t, err)).orElse(null);
        List<EncoderWatch.Seen> versions;
        List<PosteriorSummary> posteriors;
        try {
            try (KafkaEventSink events = new KafkaEventSink(target.bootstrapServers(), target.topicPrefix())) {
                events.checkTopics();
                Simulator simulator = new Simulator(world, new HttpDecisionClient(httpClient, json,
                        target.selector()), events, settings, ConsoleProgress.onStderr());
                report = simulator.run();
            }
            posteriors = target.learner().isPresent() ? awaitRewards(target, report) : List.of();
        } finally {
            versions = watch == null ? List.of() : watch.seen();
            if (watch != null) {
                watch.close();
            }
        }

        Map<String, Object> recorded = new LinkedHashMap<>();
        recorded.put("selector", target.selector().toString());
        target.learner().ifPresent(l -> recorded.put("learner", l.toString()));
        recorded.put("bootstrapServers", target.bootstrapServers());
        recorded.put("topicPrefix", target.topicPrefix());
        recorded.put("decisions", options.decisions);
        recorded.put("seed", options.seed);
        recorded.put("concurrency", options.concurrency);
        recorded.put("rate", options.rate);
        recorded.put("slots", options.slots);
        recorded.put("candidates", options.candidates);
        recorded.put("attributionWindowMillis", target.attributionWindow().toMillis());
        recorded.put("publishIntervalMillis", target.publishInterval().toMillis());
        recorded.putAll(extraSettings);
        if (target.trainer().isPresent()) {
            recorded.put("trainer", target.trainer().get().toString());
            recorded.put("encoderVersions", versions);
        }
        RunRecord run = new RunRecord(command, startedAt, recorded, encoder, report, posteriors, !report.failed());

        new ReportPrinter(out).summary(run);
        if (target.trainer().isPresent()) {
            printVersions(versions);
        }
        Path file = options.out != null ? options.out : defaultOutDir.resolve(command + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
        Path written = ReportPrinter.write(run, file);
        out.println(ReportPrinter.verdict(report));
        out.println("report: " + written);
        if (report.failed()) {
            err.printf("FAILED: %s%n", failure(report));
            return 1;
        }
        return 0;
    }

    /**
     * The last impressions turn into rewards only when their attribution windows close (by wall
     * clock once traffic stops): poll the learner until every impression is counted or the wait
     * is clearly over, and say so if some are missing.
     */
    private List<PosteriorSummary> awaitRewards(Target target, SimulationReport report) throws InterruptedException {
        long impressions = report.decisionsMade() - report.eventFailures();
        Duration limit = target.attributionWindow().plus(target.publishInterval()).plus(LEARNER_IDLE_CLOSE)
                .plusSeconds(30);
        err.printf("waiting for the last attribution windows to close (%,d impressions, at most %d s)...%n",
                impressions, limit.toSeconds());
        long deadline = System.nanoTime() + limit.toNanos();
        List<PosteriorSummary> posteriors = readPosteriors(target, report);
        while (rewardCount(posteriors) < impressions && System.nanoTime() < deadline) {
            Thread.sleep(500);
            posteriors = readPosteriors(target, report);
        }
        long rewards = rewardCount(posteriors);
        if (rewards < impressions) {
            err.printf("the learner counted %,d rewards for %,d impressions after %d s%n", rewards, impressions,
                    limit.toSeconds());
        }
        return posteriors;
    }

    private List<PosteriorSummary> readPosteriors(Target target, SimulationReport report)
            throws InterruptedException {
        List<PosteriorSummary> posteriors = new ArrayList<>();
        // The serving version's posteriors hold every reward: a version learns the whole log when it is rebuilt.
        String serving;
        try {
            serving = http.encoder(target.selector()).version();
        } catch (IOException e) {
            serving = null;
        }
        for (SimulationReport.SlotReport slot : report.slots()) {
            if (slot.scope() != null) {
                String scope = serving == null ? slot.scope() : slot.slot() + "@" + serving;
                try {
                    http.posterior(target.learner().get(), scope).ifPresent(posteriors::add);
                } catch (IOException e) {
                    err.println("cannot read the posterior of " + scope + ": " + e.getMessage());
                }
            }
        }
        return posteriors;
    }

    private void printVersions(List<EncoderWatch.Seen> versions) {
        if (versions.isEmpty()) {
            out.println("encoder versions: none trained during the run (the built-in encoder served throughout)");
            return;
        }
        out.println("encoder versions (seconds since the run started):");
        for (EncoderWatch.Seen v : versions) {
            out.printf(java.util.Locale.ROOT, "  %-28s trained %5.1f  gate %-7s rebuilt %s  serving %s%n", v.version(),
                    v.trainedAt(), v.gatePassed() ? "pass" : "refused", seconds(v.readyAt()), seconds(v.servingAt()));
        }
    }

    private static String seconds(double at) {
        return Double.isNaN(at) ? "   -  " : String.format(java.util.Locale.ROOT, "%5.1f", at);
    }

    private static long rewardCount(List<PosteriorSummary> posteriors) {
        return posteriors.stream().mapToLong(PosteriorSummary::version).sum();
    }

    private static String failure(SimulationReport report) {
        if (report.abortReason() != null) {
            return report.abortReason();
        }
        if (report.decisionsMade() == 0) {
            return "no decision was made" + (report.errorSamples().isEmpty() ? "" : ": " + report.errorSamples().get(0));
        }
        if (report.errorRate() > SimulationReport.MAX_ERROR_RATE) {
            return String.format("%.2f%% of the decision requests failed (at most %.0f%% allowed)",
                    100 * report.errorRate(), 100 * SimulationReport.MAX_ERROR_RATE);
        }
        return report.eventFailures() + " impressions or clicks could not be written";
    }
}
