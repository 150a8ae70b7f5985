package io.vitrine.loadtest;

import io.vitrine.cli.stack.ManagedProcess;
import io.vitrine.cli.stack.StackException;
import io.vitrine.e2e.ServiceProcess;
import io.vitrine.kafka.LocalKafkaMain;
import java.io.File;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a load test runs against when no running service is named: a Kafka broker, the learner and (for the HTTP
 * test) the selector, each a process of its own on this machine, on ports {@code base} to {@code base + 3}; the
 * selector serves the baseline endpoint too. State and logs under {@code work}.
 */
final class LoadStack implements AutoCloseable {

    static final String TOPIC_PREFIX = "load.";
    private static final Duration START = Duration.ofSeconds(180);

    private final ManagedProcess kafka;
    private final String bootstrap;
    private final ServiceProcess learner;
    private final ServiceProcess selector;
    private final Thread hook = new Thread(this::close, "load-stack-stop");

    private LoadStack(ManagedProcess kafka, String bootstrap, ServiceProcess learner, ServiceProcess selector) {
        this.kafka = kafka;
        this.bootstrap = bootstrap;
        this.learner = learner;
        this.selector = selector;
    }

    /**
     * @param selectorJar        the selector to start, or empty for none (a learner load test)
     * @param selectorProperties JVM options and {@code -D} properties of the selector
     * @param learnerProperties  JVM options and {@code -D} properties of the learner
     */
    static LoadStack start(Path home, Path work, int base, Optional<Path> selectorJar, List<String> selectorProperties,
                           List<String> learnerProperties, PrintStream out)
            throws StackException, InterruptedException {
        out.printf("starting kafka, learner%s (ports %d-%d, logs in %s)%n",
                selectorJar.isPresent() ? " and selector" : "", base, base + 3, work.resolve("logs"));
        // The broker starts empty (--fresh): state the services kept from an earlier run would not match it (and
        // would take this run's request ids for repeats of that run's).
        deleteTree(work.resolve("state"));
        ManagedProcess kafka = ManagedProcess.start("kafka", List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-cp", ownClasspath(), LocalKafkaMain.class.getName(),
                "--port", Integer.toString(base), "--controller-port", Integer.toString(base + 1),
                "--data-dir", work.resolve("kafka").toString(), "--topic-prefix", TOPIC_PREFIX, "--fresh"),
                work, work.resolve("logs").resolve("kafka.log"));
        ServiceProcess learner = null;
        ServiceProcess selector = null;
        String bootstrap = null;
        try {
            String line = kafka.awaitLine(LocalKafkaMain.READY_PREFIX, START);
            bootstrap = line.substring(LocalKafkaMain.READY_PREFIX.length()).trim();
            List<String> common = List.of("-Dkafka.bootstrap.servers=" + bootstrap,
                    "-Dvitrine.topics.prefix=" + TOPIC_PREFIX);
            learner = new ServiceProcess("learner", home.resolve("services/learner/target/quarkus-app/quarkus-run.jar"),
                    work, base + 3, Stream.concat(common.stream(), learnerProperties.stream()).toList());
            learner.launch();
            if (selectorJar.isPresent()) {
                selector = new ServiceProcess("selector", selectorJar.get(), work, base + 2,
                        Stream.concat(common.stream(), Stream.concat(
                                Stream.of("-Dvitrine.selector.baseline-endpoint=true"),
                                selectorProperties.stream())).toList());
                selector.launch();
            }
            learner.awaitReady();
            if (selector != null) {
                selector.awaitReady();
            }
        } catch (StackException | InterruptedException | RuntimeException e) {
            new LoadStack(kafka, bootstrap, learner, selector).close();
            throw e;
        }
        LoadStack stack = new LoadStack(kafka, bootstrap, learner, selector);
        Runtime.getRuntime().addShutdownHook(stack.hook);
        out.printf("ready: learner %s%s%n", learner.uri(), selector != null ? ", selector " + selector.uri() : "");
        return stack;
    }

    URI selector() {
        if (selector == null) {
            throw new IllegalStateException("this stack runs no selector");
        }
        return selector.uri();
    }

    URI learner() {
        return learner.uri();
    }

    String bootstrapServers() {
        return bootstrap;
    }

    private static void deleteTree(Path dir) throws StackException {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = java.nio.file.Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(path);
            }
        } catch (java.io.IOException e) {
            throw new StackException("cannot delete the state of an earlier run, " + dir + ": " + e.getMessage());
        }
    }

    /** This JVM's classpath with absolute entries; under {@code java -jar} the jar, whose manifest names lib/. */
    private static String ownClasspath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Override
    public void close() {
        if (selector != null) {
            selector.close();
        }
        if (learner != null) {
            learner.close();
        }
        kafka.stop(Duration.ofSeconds(20));
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is what called us.
        }
    }
}
