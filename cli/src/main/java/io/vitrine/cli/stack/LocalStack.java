package io.vitrine.cli.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.cli.http.VitrineHttp;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs Vitrine on this machine: a single-node Kafka broker, the learner, the selector and optionally the trainer, each as its
 * own process with a fresh state directory under the work directory and its output in
 * {@code <work>/logs/<name>.log}. Everything it started is stopped by {@link #close()}, also on
 * failure and on Ctrl-C (a shutdown hook).
 */
public final class LocalStack implements AutoCloseable {

    /** The line the broker prints once it accepts clients. */
    static final String KAFKA_READY = "vitrine-kafka ready bootstrap=";
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final StackSettings settings;
    private final PrintStream out;
    private final List<ManagedProcess> started = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::stopAll, "vitrine-stack-stop");
    private String bootstrapServers;

    private LocalStack(StackSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /**
     * Starts the broker (unless an external one is configured), the learner and the selector, and
     * waits until all are ready. On failure everything already started is stopped again.
     *
     * @param out where to say what is happening (one line per step)
     */
    public static LocalStack start(StackSettings settings, PrintStream out) throws StackException, InterruptedException {
        LocalStack stack = new LocalStack(settings, out);
        Runtime.getRuntime().addShutdownHook(stack.shutdownHook);
        try {
            stack.startAll();
            return stack;
        } catch (StackException | InterruptedException | RuntimeException e) {
            boolean interrupted = stack.closed.get();
            stack.close();
            if (interrupted) {
                // Ctrl-C while starting: the hook stopped the processes; their exit is no failure of theirs.
                throw new StackException("stopped before the stack was ready");
            }
            throw e;
        }
    }

    private void startAll() throws StackException, InterruptedException {
        checkPrerequisites();
        VitrineHttp http = new VitrineHttp(VitrineHttp.newClient(), new ObjectMapper());
        if (settings.externalBootstrap().isPresent()) {
            bootstrapServers = settings.externalBootstrap().get();
        } else {
            bootstrapServers = startKafka();
        }
        long t0 = System.nanoTime();
        ManagedProcess learner = startService("learner", settings.learnerJar(), settings.learnerPort(), List.of(
                "-Dvitrine.learner.attribution-window=" + quarkusDuration(settings.attributionWindow()),
                "-Dvitrine.learner.publish-interval=" + quarkusDuration(settings.publishInterval())));
        ManagedProcess selector = startService("selector", settings.selectorJar(), settings.selectorPort(), List.of());
        ManagedProcess trainerProcess = settings.trainer().isEmpty() ? null : startService("trainer",
                settings.trainerJar(), settings.trainer().get().port(),
                List.of("-Dvitrine.trainer.every-rewards=" + settings.trainer().get().everyRewards()));
        // Both boot at once; each wait also watches its own process.
        learner.await(() -> http.readiness(learnerUri()), "ready on " + learnerUri() + "q/health/ready",
                settings.startTimeout());
        out.printf("  learner   ready on %s (%.1f s)%n", learnerUri(), seconds(t0));
        selector.await(() -> http.readiness(selectorUri()), "ready on " + selectorUri() + "q/health/ready",
                settings.startTimeout());
        out.printf("  selector  ready on %s (%.1f s)%n", selectorUri(), seconds(t0));
        if (trainerProcess != null) {
            StackSettings.Trainer trainer = settings.trainer().get();
            trainerProcess.await(() -> http.readiness(trainerUri().orElseThrow()), "ready on " + trainerUri().orElseThrow()
                    + "q/health/ready", settings.startTimeout());
            out.printf("  trainer   ready on %s (%.1f s): a new encoder every %,d rewards%n", trainerUri().orElseThrow(),
                    seconds(t0), trainer.everyRewards());
        }
    }

    private void checkPrerequisites() throws StackException {
        List<Path> jars = new ArrayList<>(List.of(settings.learnerJar(), settings.selectorJar()));
        settings.trainer().ifPresent(t -> jars.add(settings.trainerJar()));
        List<String> missing = jars.stream()
                .filter(jar -> !Files.isRegularFile(jar))
                .map(Path::toString)
                .collect(Collectors.toList());
        if (!missing.isEmpty()) {
            throw new StackException("the services are not packaged (missing " + String.join(", ", missing)
                    + "): run the build from the root: ./mvnw -DskipTests install");
        }
        if (settings.externalBootstrap().isEmpty()) {
            Ports.requireFree(settings.kafkaPort(), "kafka", "--kafka-port");
            Ports.requireFree(settings.controllerPort(), "kafka controller", "--kafka-controller-port");
        }
        Ports.requireFree(settings.learnerPort(), "learner", "--learner-port");
        Ports.requireFree(settings.selectorPort(), "selector", "--selector-port");
        if (settings.trainer().isPresent()) {
            Ports.requireFree(settings.trainer().get().port(), "trainer", "--trainer-port");
        }
    }

    private String startKafka() throws StackException, InterruptedException {
        long t0 = System.nanoTime();
        Path data = freshDir("kafka");
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-cp");
        command.add(ownClasspath());
        command.add("io.vitrine.kafka.LocalKafkaMain");
        command.addAll(List.of("--port", Integer.toString(settings.kafkaPort()),
                "--controller-port", Integer.toString(settings.controllerPort()),
                "--data-dir", data.toString(),
                "--topic-prefix", settings.topicPrefix(),
                "--fresh"));
        ManagedProcess kafka = launch("kafka", command);
        String line = kafka.awaitLine(KAFKA_READY, settings.startTimeout());
        String bootstrap = line.substring(KAFKA_READY.length()).trim();
        out.printf("  kafka     ready on %s (%.1f s)%n", bootstrap, seconds(t0));
        return bootstrap;
    }

    private ManagedProcess startService(String name, Path jar, int port, List<String> extra)
            throws StackException {
        Path state = freshDir(name);
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.add("-Dkafka.bootstrap.servers=" + bootstrapServers);
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dvitrine.topics.prefix=" + settings.topicPrefix());
        command.add("-Dkafka-streams.state.dir=" + state);
        command.addAll(extra);
        command.add("-jar");
        command.add(jar.toString());
        return launch(name, command);
    }

    private ManagedProcess launch(String name, List<String> command) throws StackException {
        Path log = settings.logDir().resolve(name + ".log");
        ManagedProcess process = ManagedProcess.start(name, command, settings.workDir(), log);
        synchronized (started) {
            started.add(process);
        }
        out.printf("  %-9s starting (pid %d, log %s)%n", name, process.pid(), log);
        return process;
    }

    /** An empty state directory for a process: leftovers of an earlier run would change its behaviour. */
    private Path freshDir(String name) throws StackException {
        Path dir = settings.stateDir(name);
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> paths = Files.walk(dir)) {
                    for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                        Files.delete(p);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StackException("cannot prepare the state directory " + dir + ": " + e.getMessage(), e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The trainer's base URI, when it runs. */
    public Optional<URI> trainerUri() {
        return settings.trainer().map(t -> URI.create("http://localhost:" + t.port() + "/"));
    }

    public URI selectorUri() {
        return URI.create("http://localhost:" + settings.selectorPort() + "/");
    }

    public URI learnerUri() {
        return URI.create("http://localhost:" + settings.learnerPort() + "/");
    }

    public StackSettings settings() {
        return settings;
    }

    /** Stops everything this stack started, newest first. Safe to call more than once. */
    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or has run.
        }
    }

    private void stopAll() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<ManagedProcess> processes;
        synchronized (started) {
            processes = new ArrayList<>(started);
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            ManagedProcess process = processes.get(i);
            if (process.isAlive()) {
                boolean clean = process.stop(STOP_GRACE);
                out.printf("  %-9s stopped%s%n", process.name(), clean ? "" : " (killed after " + STOP_GRACE.toSeconds() + " s)");
            }
        }
    }

    /** Quarkus reads a number with an {@code ms} suffix as milliseconds. */
    static String quarkusDuration(Duration duration) {
        return duration.toMillis() + "ms";
    }

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * This JVM's classpath with absolute entries (children run in another directory). Under
     * {@code java -jar} it is the jar alone, whose manifest names its {@code lib/} directory.
     */
    static String ownClasspath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
