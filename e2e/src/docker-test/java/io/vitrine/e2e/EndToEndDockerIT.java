package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.exception.NotFoundException;
import io.vitrine.cli.stack.LocalStack;
import io.vitrine.cli.stack.Ports;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.cli.stack.StackException;
import io.vitrine.cli.stack.StackSettings;
import io.vitrine.schemas.Topic;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * The end-to-end scenario of {@link EndToEndTest} ({@link LearningLoop}) on a real Kafka broker in Docker
 * ({@code apache/kafka}, the version of the project's Kafka clients) instead of the test JVM's broker.
 *
 * <p>The services run as processes of the packaged jars, as in {@link EndToEndTest}; with
 * {@code -Dvitrine.images=true} they run as containers of their own images ({@code vitrine/learner:<version>},
 * {@code vitrine/selector:<version>}, built with {@code -Dquarkus.container-image.build=true}) on a network shared
 * with the broker, configured through environment variables only, as on a container platform.
 *
 * <p>Maven profile {@code docker}; skipped where there is no Docker engine. Logs of the containers go to
 * {@code e2e/target/docker-e2e/logs}.
 */
@ExtendWith(DockerAvailable.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class EndToEndDockerIT {

    /** The broker's name and port on the shared network, for the services in containers. */
    private static final String KAFKA_ALIAS = "kafka";
    private static final String KAFKA_INTERNAL = KAFKA_ALIAS + ":19092";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private static final String KAFKA_IMAGE = System.getProperty("vitrine.kafka.image", "apache/kafka:4.1.2");
    private static final boolean SERVICE_IMAGES = Boolean.getBoolean("vitrine.images");

    private static Path work;
    private static Network network;
    private static KafkaContainer kafka;
    private static final List<GenericContainer<?>> services = new ArrayList<>();
    private static LocalStack stack;
    private static LearningLoop.Endpoints endpoints;

    @BeforeAll
    static void start() throws Exception {
        Path home = RepoHome.locate(Optional.empty());
        work = home.resolve("e2e/target/docker-e2e");
        Files.createDirectories(work.resolve("logs"));
        network = Network.newNetwork();
        kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
                .withNetwork(network)
                .withListener(KAFKA_INTERNAL);
        kafka.start();
        LearnerInput.createTopics(kafka.getBootstrapServers(), Topic.DEFAULT_PREFIX);
        System.err.printf("docker end-to-end: %s on %s (%s for containers), services as %s%n", KAFKA_IMAGE,
                kafka.getBootstrapServers(), KAFKA_INTERNAL, SERVICE_IMAGES ? "containers" : "processes");
        endpoints = SERVICE_IMAGES ? startContainers() : startProcesses(home);
    }

    /** The packaged services as processes of this machine, on the broker's port mapped to the host. */
    private static LearningLoop.Endpoints startProcesses(Path home) throws Exception {
        StackSettings settings = new StackSettings(home, work, Topic.DEFAULT_PREFIX, 0, 0, Ports.anyFree(),
                Ports.anyFree(), LearningLoop.ATTRIBUTION_WINDOW, LearningLoop.PUBLISH_INTERVAL,
                Optional.of(kafka.getBootstrapServers()), START_TIMEOUT);
        try {
            stack = LocalStack.start(settings, System.err);
        } catch (StackException e) {
            fail(e.getMessage());
        }
        return new LearningLoop.Endpoints(stack.selectorUri(), stack.learnerUri(), stack.bootstrapServers());
    }

    /** The services' own images as containers on the broker's network, configured by environment variables. */
    private static LearningLoop.Endpoints startContainers() {
        String version = System.getProperty("vitrine.version", "0.1.0-SNAPSHOT");
        GenericContainer<?> learner = service("learner", "vitrine/learner:" + version, 8081, Map.of(
                "VITRINE_LEARNER_ADVERTISED_HOST", "learner",
                "VITRINE_LEARNER_ATTRIBUTION_WINDOW", LearningLoop.ATTRIBUTION_WINDOW.toMillis() + "ms",
                "VITRINE_LEARNER_PUBLISH_INTERVAL", LearningLoop.PUBLISH_INTERVAL.toMillis() + "ms"));
        GenericContainer<?> selector = service("selector", "vitrine/selector:" + version, 8080, Map.of());
        // Both boot at once; their logs are saved by stop() also when they fail to become ready.
        Startables.deepStart(learner, selector).join();
        return new LearningLoop.Endpoints(uri(selector, 8080), uri(learner, 8081), kafka.getBootstrapServers());
    }

    private static GenericContainer<?> service(String name, String image, int port, Map<String, String> env) {
        requireLocalImage(image);
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                .withNetwork(network)
                .withNetworkAliases(name)
                .withEnv("KAFKA_BOOTSTRAP_SERVERS", KAFKA_INTERNAL)
                .withEnv(env)
                .withExposedPorts(port)
                .waitingFor(Wait.forHttp("/q/health/ready").forPort(port).forStatusCode(200)
                        .withStartupTimeout(START_TIMEOUT));
        services.add(container);
        return container;
    }

    /** The images are built here, never pulled: a missing one is a build step that was left out. */
    private static void requireLocalImage(String image) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            fail("image " + image + " is not in the local Docker engine: build the images first with"
                    + " ./mvnw -B -ntp -pl services/selector,services/learner -am package -DskipTests"
                    + " -Dquarkus.container-image.build=true");
        }
    }

    private static URI uri(GenericContainer<?> container, int port) {
        return URI.create("http://" + container.getHost() + ":" + container.getMappedPort(port) + "/");
    }

    @AfterAll
    static void stop() {
        saveLogs();
        if (stack != null) {
            stack.close();
        }
        services.forEach(GenericContainer::stop);
        if (kafka != null) {
            kafka.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    private static void saveLogs() {
        List<GenericContainer<?>> all = new ArrayList<>(services);
        if (kafka != null) {
            all.add(kafka);
        }
        for (GenericContainer<?> container : all) {
            if (container.getContainerId() == null) {
                continue;
            }
            String name = container.getNetworkAliases().stream().filter(a -> !a.startsWith("tc-")).findFirst()
                    .orElse(container.getDockerImageName().replaceAll("[^A-Za-z0-9.-]", "_"));
            try {
                Files.writeString(work.resolve("logs").resolve("container-" + name + ".log"), container.getLogs());
            } catch (IOException | RuntimeException e) {
                System.err.println("cannot save the log of " + name + ": " + e.getMessage());
            }
        }
    }

    @Test
    void theLoopLearnsWhichImageGetsClicked() throws Exception {
        new LearningLoop(endpoints, "docker end-to-end (" + KAFKA_IMAGE + ", services as "
                + (SERVICE_IMAGES ? "containers" : "processes") + ")").runAndCheck();
    }
}
