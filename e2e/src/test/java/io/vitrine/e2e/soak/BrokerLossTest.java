package io.vitrine.e2e.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.cli.stack.Ports;
import io.vitrine.cli.stack.RepoHome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Broker loss under the soak's traffic (decisions over HTTP, impressions and clicks to Kafka), with the broker as a
 * process of its own: the single broker stopped with SIGTERM and later killed with SIGKILL, each time started again
 * on its ports and data; and a cluster of three (replication 3, min.insync.replicas 2) losing one broker to SIGKILL.
 * Every answer is 200, or a 503 problem within the selectors' log timeout + 2 s; the services recover by themselves;
 * every decision answered 200 is logged, every impression gives exactly one reward, the posteriors equal the batch
 * fit of the rewards. The longer runs are the soak command with --broker-loss (docs/reliability.md).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BrokerLossTest {

    private static final int EVENTS = 3_000;

    @Test
    void theOnlyBrokerStoppedAndKilledUnderLoadLosesNothingAndTheServicesRecoverByThemselves() throws Exception {
        SoakResult result = soak(1, Duration.ofSeconds(8), "broker-loss-single");

        BrokerLossFindings findings = result.brokerLoss().orElseThrow();
        assertEquals(2, findings.outages().size(), result.summary());
        assertTrue(findings.answered503() > 0, result.summary());
        assertHolds(result, findings);
    }

    @Test
    void aClusterOfThreeLosingOneBrokerToSigkillKeepsAnsweringAndLosesNothing() throws Exception {
        SoakResult result = soak(3, Duration.ofSeconds(15), "broker-loss-cluster");

        BrokerLossFindings findings = result.brokerLoss().orElseThrow();
        assertEquals(1, findings.outages().size(), result.summary());
        assertTrue(findings.answeredOkWhileDown() > 0, result.summary());
        assertHolds(result, findings);
    }

    private static SoakResult soak(int brokers, Duration down, String name) throws Exception {
        Path out = RepoHome.locate(Optional.empty()).resolve("e2e/target/" + name);
        SoakSettings settings = new SoakSettings(EVENTS, 0, 50, 4, Duration.ofSeconds(3), 17, out,
                Optional.of(new SoakSettings.BrokerLoss(brokers, down)));
        return new Soak(settings, null, Ports::anyFree, System.err).run();
    }

    private static void assertHolds(SoakResult result, BrokerLossFindings findings) {
        assertEquals(0, findings.answeredOtherwise(), result.summary());
        assertTrue(findings.recoveredAfterMillis().stream().allMatch(ms -> ms <= BrokerLossFindings.RECOVERY.toMillis()),
                result.summary());
        assertTrue(result.events() >= EVENTS, result.summary());
        assertEquals(0, result.decisionsMissing(), result.summary());
        assertEquals(result.impressions(), result.rewards(), result.summary());
        assertEquals(0, result.lost(), result.summary());
        assertEquals(0, result.doubled(), result.summary());
        assertEquals(0, result.wrongKind(), result.summary());
        assertTrue(result.posteriorDifference() <= SoakChecks.TOLERANCE, result.summary());
        assertTrue(result.deadLetters().isEmpty(), result.summary());
        assertEquals(result.rewards(), result.trainerRewards(), result.summary());
        assertTrue(result.holds(), result.summary());
    }
}
