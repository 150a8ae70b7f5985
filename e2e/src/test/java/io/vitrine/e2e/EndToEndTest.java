package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import io.vitrine.kafka.SharedLocalKafka;
import io.vitrine.cli.stack.LocalStack;
import io.vitrine.cli.stack.Ports;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.cli.stack.StackException;
import io.vitrine.cli.stack.StackSettings;
import io.vitrine.schemas.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole loop on this machine ({@link LearningLoop}): the packaged learner and selector as processes on the test
 * JVM's broker. The same scenario runs on a broker in Docker in {@code EndToEndDockerIT} (Maven profile
 * {@code docker}).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EndToEndTest {

    private static LocalStack stack;

    @BeforeAll
    static void startServices() throws Exception {
        Path home = RepoHome.locate(Optional.empty());
        StackSettings settings = new StackSettings(home, home.resolve("e2e/target/e2e"), Topic.DEFAULT_PREFIX,
                0, 0, Ports.anyFree(), Ports.anyFree(), LearningLoop.ATTRIBUTION_WINDOW, LearningLoop.PUBLISH_INTERVAL,
                Optional.of(SharedLocalKafka.bootstrapServers()), Duration.ofSeconds(120));
        try {
            stack = LocalStack.start(settings, System.err);
        } catch (StackException e) {
            fail(e.getMessage());
        }
    }

    @AfterAll
    static void stopServices() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theLoopLearnsWhichImageGetsClicked() throws Exception {
        new LearningLoop(new LearningLoop.Endpoints(stack.selectorUri(), stack.learnerUri(), stack.bootstrapServers()),
                "end-to-end").runAndCheck();
    }
}
