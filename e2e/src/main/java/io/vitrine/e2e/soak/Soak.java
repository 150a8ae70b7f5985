package io.vitrine.e2e.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.cli.stack.StackException;
import io.vitrine.e2e.LearnerInput;
import io.vitrine.e2e.LocalBrokers;
import io.vitrine.e2e.ServiceProcess;
import io.vitrine.schemas.Topic;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.IntSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;

/**
 * A soak with chaos: the packaged learner, two selectors and the trainer as processes on one broker, under steady
 * traffic ({@link Traffic}) while {@link Chaos} kills one instance at a time with SIGKILL and starts it again, until
 * both the events and the kills asked for are done. Then {@link SoakChecks} compares what the services wrote and
 * serve with what the traffic recorded, and {@link SoakPlot} draws throughput and latency with the kills marked.
 *
 * <p>The trainer follows the reward log but trains only on request ({@code vitrine.trainer.enabled=false}): the
 * posteriors checked are those of the built-in encoder. Kills during a rebuild by replay are RebuildCrashTest's.
 *
 * <p>With {@link SoakSettings#brokerLoss() broker loss} the soak starts its own broker, or a cluster of three, as
 * processes ({@link LocalBrokers}), and {@link BrokerOutages} takes brokers away under the traffic and brings them
 * back; the same checks then hold, and {@link BrokerLossFindings} adds what the requests met meanwhile.
 */
public final class Soak {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    /**
     * The learner's allowed lateness in the soak: its only margin not at its default (1 s). A learner catching up
     * after an outage can still read a click partition behind its impressions, by more than a second of event time,
     * and count the click as none (docs/reliability.md, the soak's finding: what is left).
     */
    private static final Duration LEARNER_LATENESS = Duration.ofSeconds(90);
    /** The selectors' log timeout (their default, set explicitly): a request must not wait longer for Kafka. */
    static final Duration LOG_TIMEOUT = Duration.ofSeconds(5);

    private final SoakSettings settings;
    private final String bootstrap;
    private final IntSupplier ports;
    private final PrintStream progress;

    /**
     * @param bootstrap the broker the soak creates its topics on (under a prefix of its own); unused (may be null)
     *                  with broker loss, where the soak starts brokers of its own
     * @param ports     a port for each service instance
     * @param progress  where the progress lines and the summary go
     */
    public Soak(SoakSettings settings, String bootstrap, IntSupplier ports, PrintStream progress) {
        this.settings = settings;
        this.bootstrap = bootstrap;
        this.ports = ports;
        this.progress = progress;
    }

    public SoakResult run() throws Exception {
        String prefix = "soak-" + System.nanoTime() + ".";
        Path home = RepoHome.locate(Optional.empty());
        Path work = settings.out().resolve(prefix + "d");
        Files.createDirectories(work);
        if (settings.brokerLoss().isEmpty()) {
            return run(bootstrap, null, prefix, home, work);
        }
        try (LocalBrokers brokers = LocalBrokers.of(settings.brokerLoss().get().brokers(), home, work, ports)) {
            long booting = System.nanoTime();
            brokers.startAll();
            progress.printf("soak: %d broker%s on %s ready in %d s%n", brokers.size(), brokers.size() == 1 ? "" : "s",
                    brokers.bootstrapServers(), Duration.ofNanos(System.nanoTime() - booting).toSeconds());
            return run(brokers.bootstrapServers(), brokers, prefix, home, work);
        }
    }

    private SoakResult run(String bootstrap, LocalBrokers brokers, String prefix, Path home, Path work)
            throws Exception {
        short replicas = brokers == null ? 1 : brokers.replicationFactor();
        LearnerInput.createTopics(bootstrap, prefix, replicas);
        List<String> common = List.of("-Dkafka.bootstrap.servers=" + bootstrap, "-Dvitrine.topics.prefix=" + prefix,
                // Internal topics (changelogs, repartition topics) replicated as the input is.
                "-Dkafka-streams.replication.factor=" + replicas);
        try (ServiceProcess learner = service(home, work, "learner", "learner", common, List.of(
                     "-Dvitrine.learner.attribution-window=" + settings.window().toMillis() + "ms",
                     "-Dvitrine.learner.publish-interval=200ms",
                     "-Dvitrine.learner.allowed-lateness=" + LEARNER_LATENESS.toMillis() + "ms",
                     // Static membership: a restarted instance takes its partitions back at once.
                     "-Dkafka-streams.main.consumer.group.instance.id=" + prefix + "learner",
                     "-Dkafka-streams.consumer.session.timeout.ms=6000",
                     "-Dkafka-streams.consumer.heartbeat.interval.ms=1500"));
             ServiceProcess selectorA = service(home, work, "selector", "selector-1", common, selectorSettings());
             ServiceProcess selectorB = service(home, work, "selector", "selector-2", common, selectorSettings());
             ServiceProcess trainer = service(home, work, "trainer", "trainer", common,
                     List.of("-Dvitrine.trainer.enabled=false"));
             var stopping = ServiceProcess.stopTogether(learner, selectorA, selectorB, trainer);
             // With broker loss: idempotent (a retried write whose acknowledgement was lost with the broker must not
             // become a second impression), and holding the events until the broker is back.
             KafkaProducer<String, SpecificRecord> producer = LearnerInput.producer(bootstrap, brokers != null)) {
            List<ServiceProcess> all = List.of(learner, selectorA, selectorB, trainer);
            long booting = System.nanoTime();
            for (ServiceProcess service : all) {
                service.launch();
            }
            for (ServiceProcess service : all) {
                service.awaitReady();
            }
            progress.printf("soak: learner, 2 selectors and trainer ready in %d s (logs in %s); %,d events, %d kills,"
                            + " %d decisions/s%n", Duration.ofNanos(System.nanoTime() - booting).toSeconds(),
                    work.resolve("logs"), settings.events(), settings.kills(), settings.decisionsPerSecond());
            EncoderInfo layout = new VitrineHttp(VitrineHttp.newClient(), new ObjectMapper()).encoder(selectorA.uri());
            for (ServiceProcess selector : List.of(selectorA, selectorB)) {
                warmUp(selector, layout);
            }

            long start = System.nanoTime();
            Chaos chaos = new Chaos(all, List.of("learner", "selector-1", "selector-2", "trainer"), settings.kills(),
                    settings.plannedDuration(), settings.seed(), start);
            Traffic traffic = new Traffic(settings, List.of(selectorA.uri(), selectorB.uri()),
                    selector -> chaos.serving("selector-" + (selector + 1)), producer, prefix, layout, start);
            BrokerOutages outages = brokers == null ? null : new BrokerOutages(brokers, settings.plannedDuration(),
                    settings.brokerLoss().get().down(), settings.seed(), start);
            traffic.start();
            CompletableFuture<Void> killing = CompletableFuture.allOf(inBackground(chaos::run),
                    outages == null ? CompletableFuture.completedFuture(null) : inBackground(outages::run));
            while (traffic.events() < settings.events() || !killing.isDone()) {
                Thread.sleep(PROGRESS_EVERY.toMillis());
                if (traffic.writeFailure() != null || killing.isCompletedExceptionally()) {
                    break;
                }
                printProgress(traffic, chaos, outages, start);
            }
            traffic.stop();
            Duration ran = Duration.ofNanos(System.nanoTime() - start);
            endOfTraffic(producer, prefix, Instant.now().plus(settings.window()).plus(LEARNER_LATENESS).plusSeconds(3));
            if (killing.isCompletedExceptionally()) {
                killing.join(); // throws the restart's failure, with the end of the service's log
            }
            if (traffic.writeFailure() != null) {
                throw new IllegalStateException("the traffic failed: " + traffic.writeFailure(),
                        traffic.writeFailure());
            }
            printProgress(traffic, chaos, outages, start);
            progress.printf("soak: traffic stopped after %d s; checking what the services wrote%n", ran.toSeconds());

            SoakResult result = check(bootstrap, traffic, chaos, outages, ran, all, prefix, learner, trainer);
            Path plot = settings.out().resolve("soak.png");
            String title = outages == null
                    ? String.format("%,d events, %d kills %s", result.events(), result.killCount(), result.killsByVictim())
                    : String.format("%,d events, %d broker%s, outages %s", result.events(), brokers.size(),
                            brokers.size() == 1 ? "" : "s", outages.done().stream()
                                    .map(o -> "kafka-" + (o.node() + 1) + " " + o.signal()).toList());
            SoakPlot.write(plot, String.format("%s; lost %d, doubled %d; posterior difference %.1e; 2 cores, %s", title,
                    result.lost(), result.doubled(), result.posteriorDifference(), LocalDate.now()),
                    traffic.eventAcks(), traffic.samples(), marks(chaos, outages));
            Files.writeString(settings.out().resolve("soak.txt"), result.summary() + System.lineSeparator()
                    + killLog(chaos.done()));
            writeRequests(settings.out().resolve("requests.csv"), traffic.samples());
            progress.println(result.summary());
            progress.printf("soak: plot %s, kills and summary %s%n", plot, settings.out().resolve("soak.txt"));
            return result;
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Kills and outages run on threads of their own, beside each other, with their own schedules. */
    private static CompletableFuture<Void> inBackground(Step step) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                step.run();
                done.complete(null);
            } catch (Exception | Error e) {
                done.completeExceptionally(e);
            }
        }, "soak-chaos");
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    private List<String> selectorSettings() {
        return settings.brokerLoss().isEmpty() ? List.of()
                : List.of("-Dvitrine.selector.log-timeout=" + LOG_TIMEOUT.toMillis() + "ms");
    }

    /** The plot's marks: every kill, and every broker outage's signal and its broker's return. */
    private static List<Chaos.Kill> marks(Chaos chaos, BrokerOutages outages) {
        List<Chaos.Kill> marks = new ArrayList<>(chaos.done());
        if (outages != null) {
            for (BrokerOutages.Outage outage : outages.done()) {
                String broker = "kafka-" + (outage.node() + 1);
                marks.add(new Chaos.Kill(outage.atMillis(), broker + " " + outage.signal(),
                        outage.readyMillis() - outage.atMillis()));
                marks.add(new Chaos.Kill(outage.readyMillis(), broker + " back", 0));
            }
        }
        return marks;
    }

    private SoakResult check(String bootstrap, Traffic traffic, Chaos chaos, BrokerOutages outages, Duration ran,
                             List<ServiceProcess> all, String prefix, ServiceProcess learner, ServiceProcess trainer)
            throws Exception {
        SoakChecks checks = new SoakChecks(bootstrap, prefix);
        for (ServiceProcess service : all) {
            try {
                service.awaitReady();
            } catch (StackException e) {
                checks.fail("an instance is not ready after the soak: " + e.getMessage());
            }
        }
        var answered = traffic.answered();
        int missing = checks.missingDecisions(answered);
        var expected = traffic.expectedRewards();
        List<Reward> rewards = checks.rewards(expected.size());
        int[] perImpression = checks.rewardsPerImpression(expected, rewards);
        double difference = checks.posteriorDifference(rewards, learner);
        var deadLetters = checks.deadLetters();
        long trainerRewards = checks.trainerRewards(trainer, rewards.size());
        if (chaos.done().size() < settings.kills()) {
            checks.fail("only " + chaos.done().size() + " of " + settings.kills() + " kills were dealt");
        }
        Optional<BrokerLossFindings> brokerLoss = Optional.empty();
        if (outages != null) {
            BrokerLossFindings findings = BrokerLossFindings.of(traffic.samples(), outages.done(), LOG_TIMEOUT);
            findings.failures(settings.brokerLoss().get().brokers(), outages.count(), LOG_TIMEOUT)
                    .forEach(checks::fail);
            brokerLoss = Optional.of(findings);
        }
        return new SoakResult(traffic.events(), answered.size(), traffic.decisionsFailed(), missing, expected.size(),
                rewards.size(), perImpression[0], perImpression[1], perImpression[2],
                (int) rewards.stream().map(Reward::getScope).distinct().count(), difference, deadLetters,
                trainerRewards, chaos.done(), ran, brokerLoss, checks.failures());
    }

    /**
     * A decision without impression dated past every window's end on each of the learner's join tasks, so that the
     * last windows close by event time. Each is keyed so that murmur2 places it on its task, as the learner places
     * events (an explicitly chosen partition would be moved to another task when the key hashes elsewhere, and a task
     * might get none).
     */
    private static void endOfTraffic(KafkaProducer<String, SpecificRecord> producer, String prefix, Instant at)
            throws Exception {
        int tasks = Topic.DECISIONS.partitions();
        java.util.Set<Integer> placed = new java.util.HashSet<>();
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (int i = 0; placed.size() < tasks; i++) {
            String requestId = "end-of-traffic-" + i;
            int task = Utils.toPositive(Utils.murmur2(requestId.getBytes(StandardCharsets.UTF_8))) % tasks;
            if (placed.add(task)) {
                Decision tick = Decision.newBuilder()
                        .setRequestId(requestId).setSlot("end").setScope("end@enc").setTimestamp(at)
                        .setContext(List.of(0.5f)).setCandidates(List.of(new Candidate("c0", List.of(0f))))
                        .setK(1).setChosen(List.of(new ChosenCandidate("c0", 0, 0.1, 0.2, 1.0, List.of(1f, 1f), null)))
                        .setSeed(0L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(16).build();
                sent.add(producer.send(new ProducerRecord<>(Topic.DECISIONS.name(prefix), task, at.toEpochMilli(),
                        requestId, tick)));
            }
        }
        for (var future : sent) {
            future.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /**
     * Requests without events until the selector answers ten in a row within 100 ms (or 30 s passed), so that the
     * soak measures a warm service rather than its first compilation. Their decisions are logged under a slot of
     * their own and never shown.
     */
    private void warmUp(ServiceProcess selector, EncoderInfo layout) throws Exception {
        HttpClient http = VitrineHttp.newClient();
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int fast = 0;
        int sent = 0;
        while (fast < 10 && System.nanoTime() < deadline) {
            var request = json.createObjectNode().put("requestId", "warm-up-" + selector.port() + "-" + sent++)
                    .put("slot", "soak-warm-up");
            var context = request.putArray("context");
            for (int i = 0; i < layout.contextFeatures(); i++) {
                context.add(0.5f);
            }
            var candidate = request.putArray("candidates").addObject().put("id", "warm-up");
            for (int i = 0; i < layout.candidateFeatures(); i++) {
                candidate.withArray("features").add(0.5f);
            }
            long sentAt = System.nanoTime();
            HttpResponse<String> answer;
            try {
                answer = http.send(HttpRequest.newBuilder(selector.uri().resolve("/v1/decisions"))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(request))).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (java.net.http.HttpTimeoutException e) {
                fast = 0; // a starved machine: not warm yet, try again until the 30 s are up
                continue;
            }
            boolean quick = answer.statusCode() == 200 && System.nanoTime() - sentAt < 100_000_000L;
            fast = quick ? fast + 1 : 0;
        }
        progress.printf("soak: %s warmed up with %d requests%n", selector.uri(), sent);
    }

    private void printProgress(Traffic traffic, Chaos chaos, BrokerOutages outages, long start) {
        List<Traffic.Sample> samples = traffic.samples();
        long now = (System.nanoTime() - start) / 1_000_000;
        List<Long> recent = new ArrayList<>();
        for (Traffic.Sample sample : samples) {
            if (sample.ok() && sample.sentAtMillis() > now - PROGRESS_EVERY.toMillis()) {
                recent.add(sample.latencyMicros());
            }
        }
        String chaosDone = outages == null ? String.format("kills %d/%d", chaos.done().size(), settings.kills())
                : String.format("broker outages %d/%d", outages.done().size(), outages.count());
        progress.printf("  %4d s  events %,d/%,d  decisions %,d answered, %,d failed  %s  p50 %.1f ms"
                        + "  p99 %.1f ms (last %d s)%n", now / 1_000, traffic.events(), settings.events(),
                traffic.decisionsAnswered(), traffic.decisionsFailed(), chaosDone,
                SoakPlot.quantileOf(recent, 0.5) / 1_000, SoakPlot.quantileOf(recent, 0.99) / 1_000,
                PROGRESS_EVERY.toSeconds());
    }

    /** Every decision request: when it was sent, how long its answer took, its status (0: none), whether a problem. */
    private static void writeRequests(Path file, List<Traffic.Sample> samples) throws IOException {
        StringBuilder csv = new StringBuilder("sent_at_ms,latency_ms,status,problem\n");
        for (Traffic.Sample sample : samples) {
            csv.append(sample.sentAtMillis()).append(',').append(sample.latencyMicros() / 1_000).append(',')
                    .append(sample.status()).append(',').append(sample.problem()).append('\n');
        }
        Files.writeString(file, csv);
    }

    private static String killLog(List<Chaos.Kill> kills) {
        StringBuilder log = new StringBuilder("kills (seconds since the traffic started, victim, ready again after):");
        for (Chaos.Kill kill : kills) {
            log.append(String.format("%n  %7.1f s  %-10s  %5.1f s", kill.atMillis() / 1_000.0, kill.victim(),
                    kill.backAfterMillis() / 1_000.0));
        }
        return log.append(System.lineSeparator()).toString();
    }

    private ServiceProcess service(Path home, Path work, String kind, String name, List<String> common,
                                   List<String> extra) throws IOException {
        Path jar = home.resolve("services/" + kind + "/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing: package the services first (./mvnw -B -ntp -DskipTests install)");
        }
        List<String> properties = new ArrayList<>(common);
        properties.addAll(extra);
        return new ServiceProcess(name, jar, work, ports.getAsInt(), properties);
    }
}
