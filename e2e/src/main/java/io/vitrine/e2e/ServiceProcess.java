package io.vitrine.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.stack.ManagedProcess;
import io.vitrine.cli.stack.StackException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One packaged service (learner or selector) as a process of its own, on a given port and state directory, that
 * a test can kill or stop and start again (same port, same state) as often as it likes. Its output goes to
 * {@code <workDir>/logs/<name>-<n>.log}, one file per incarnation.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /**
     * Extra JVM options of every service process, and of every broker process of {@link LocalBrokers}, space-separated;
     * none unless set. The end-to-end tests set {@code -XX:TieredStopAtLevel=1} (e2e/pom.xml): their services and
     * brokers live for a minute or two at low rates, and without the C2 compiler a start costs a third less CPU. The
     * load tests, which measure, leave it unset.
     */
    public static final String JVM_OPTIONS_PROPERTY = "vitrine.e2e.service-jvm-options";

    private final String name;
    private final Path jar;
    private final Path workDir;
    private final int port;
    private final List<String> properties;
    private final Map<String, String> environment;
    private final HttpClient http = VitrineHttp.newClient();
    private final VitrineHttp vitrine = new VitrineHttp(http, new ObjectMapper());
    private final ObjectMapper json = new ObjectMapper();
    private ManagedProcess process;
    private int incarnation;

    /**
     * @param properties system properties ({@code -Dkey=value}) beyond the port and state directory
     */
    public ServiceProcess(String name, Path jar, Path workDir, int port, List<String> properties) {
        this(name, jar, workDir, port, properties, Map.of());
    }

    /** @param environment variables added to the service's environment (e.g. {@code KAFKA_SASL_JAAS_CONFIG}) */
    public ServiceProcess(String name, Path jar, Path workDir, int port, List<String> properties,
                   Map<String, String> environment) {
        this.name = name;
        this.jar = jar;
        this.workDir = workDir;
        this.port = port;
        this.properties = List.copyOf(properties);
        this.environment = Map.copyOf(environment);
    }

    public URI uri() {
        return URI.create("http://localhost:" + port + "/");
    }

    public int port() {
        return port;
    }

    /** Starts a new incarnation and waits until it is ready (tasks assigned, stores restored). */
    public void start() throws StackException, InterruptedException {
        launch();
        awaitReady();
    }

    /** Starts a new incarnation without waiting, so that several processes boot at once. */
    public void launch() throws StackException {
        incarnation++;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.addAll(jvmOptions());
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dkafka-streams.state.dir=" + workDir.resolve("state").resolve(name));
        command.addAll(properties);
        command.add("-jar");
        command.add(jar.toString());
        process = ManagedProcess.start(name, command, environment, workDir, workDir.resolve("logs")
                .resolve(name + "-" + incarnation + ".log"));
    }

    /** The options of {@link #JVM_OPTIONS_PROPERTY}, none when it is unset. */
    static List<String> jvmOptions() {
        List<String> options = new ArrayList<>();
        for (String option : System.getProperty(JVM_OPTIONS_PROPERTY, "").trim().split("\\s+")) {
            if (!option.isEmpty()) {
                options.add(option);
            }
        }
        return options;
    }

    public void awaitReady() throws StackException, InterruptedException {
        process.await(() -> vitrine.readiness(uri()), "ready on " + uri(), START_TIMEOUT);
    }

    /** SIGKILL: no shutdown hook, no commit, no leaving the group. */
    public void kill() throws InterruptedException {
        process.kill();
    }

    /** A clean stop (SIGTERM). */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.stop(Duration.ofSeconds(20));
        }
    }

    /** The output of the current incarnation. */
    public Path log() {
        return process.log();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** {@code GET /v1/posteriors/{scope}}: the JSON body, with the status and the answering instance. */
    public Answer posterior(String scope) throws IOException, InterruptedException {
        List<String> segments = new ArrayList<>();
        for (String segment : scope.split("/", -1)) {
            segments.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri().resolve("/v1/posteriors/"
                        + String.join("/", segments))).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), json.readTree(response.body()),
                response.headers().firstValue("X-Vitrine-Served-By"));
    }

    public record Answer(int status, JsonNode body, Optional<String> servedBy) {
    }

    /**
     * Stops every one of {@code services} when closed, all at once: each still gets its clean stop (SIGTERM, then its
     * grace), but a test's services no longer wait for one another's shutdown. Declared after the services in a
     * try-with-resources, it closes before them, and their own close then finds nothing left to stop.
     */
    public static StopTogether stopTogether(ServiceProcess... services) {
        return new StopTogether(List.of(services));
    }

    /** See {@link #stopTogether}. */
    public record StopTogether(List<ServiceProcess> services) implements AutoCloseable {

        @Override
        public void close() {
            List<Thread> stopping = new ArrayList<>();
            for (ServiceProcess service : services) {
                Thread thread = new Thread(service::stop, "stop-" + service.name);
                thread.start();
                stopping.add(thread);
            }
            for (Thread thread : stopping) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
