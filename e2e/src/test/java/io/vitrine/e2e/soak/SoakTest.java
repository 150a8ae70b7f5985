package io.vitrine.e2e.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.cli.stack.Ports;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.kafka.SharedLocalKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shortened soak of the test command: 10,000 events over HTTP and Kafka while five SIGKILLs hit the learner, the
 * two selectors and the trainer. At 100 decisions a second, twice the soak command's default, the traffic takes about
 * 42 s rather than 83 s, with the kills spread over it. Nothing is lost or doubled, every answered decision is logged,
 * the posteriors equal the batch fit of the rewards, and nothing becomes a dead letter. The long one is the soak
 * command (docs/reliability.md).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class SoakTest {

    @Test
    void tenThousandEventsThroughFiveKillsLoseNothingAndCountNothingTwice() throws Exception {
        Path out = RepoHome.locate(Optional.empty()).resolve("e2e/target/soak-test");
        SoakSettings settings = new SoakSettings(10_000, 5, 100, 4, Duration.ofSeconds(3), 17, out);
        SoakResult result = new Soak(settings, SharedLocalKafka.bootstrapServers(), Ports::anyFree, System.err).run();

        assertTrue(result.killCount() >= 5, result.summary());
        assertTrue(result.events() >= 10_000, result.summary());
        assertEquals(0, result.decisionsMissing(), result.summary());
        assertEquals(result.impressions(), result.rewards(), result.summary());
        assertEquals(0, result.lost(), result.summary());
        assertEquals(0, result.doubled(), result.summary());
        assertEquals(0, result.wrongKind(), result.summary());
        assertTrue(result.scopes() >= 4, result.summary());
        assertTrue(result.posteriorDifference() <= SoakChecks.TOLERANCE, result.summary());
        assertTrue(result.deadLetters().isEmpty(), result.summary());
        assertEquals(result.rewards(), result.trainerRewards(), result.summary());
        assertTrue(result.holds(), result.summary());
        assertTrue(Files.size(out.resolve("soak.png")) > 0);
    }
}
