package io.vitrine.selector.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.selector.decision.DecisionLog;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/**
 * The decision log with no broker to talk to (a port nobody listens on), as while the broker is away: the producer
 * never gets the topic's metadata, so each send it makes blocks for its whole max.block.ms.
 */
class LogSenderTest {

    @Test
    void appendsReturnAtOnceAndThoseThatWaitedTheirTimeoutForTheSenderAreNotSent() throws Exception {
        int nobody;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("localhost", 0));
            nobody = socket.getLocalPort();
        }
        Map<String, Object> settings = LogProducerSettings.of(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + nobody), Duration.ofMillis(300), "test");
        List<CompletableFuture<?>> appended = new ArrayList<>();
        try (DecisionLog log = new DecisionLog(settings, "decisions", AvroSerdes.registryless(Decision.class)
                .serializer())) {
            for (int i = 0; i < 20; i++) {
                appended.add(log.append(decision("request-" + i)).toCompletableFuture());
                // On the caller's thread a send would have blocked until the metadata wait failed it.
                assertFalse(appended.get(i).isDone(), "append " + i + " waited for Kafka on the caller's thread");
            }
            int notSent = 0;
            for (CompletableFuture<?> one : appended) {
                ExecutionException e = assertThrows(ExecutionException.class, one::get);
                // Either the producer's own wait for the metadata ran out, or the send was never made.
                if (e.getCause() instanceof TimeoutException notMade) {
                    assertTrue(notMade.getMessage().startsWith("not sent"), notMade.getMessage());
                    notSent++;
                } else {
                    assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, e.getCause());
                    assertTrue(e.getCause().getMessage().contains("decisions not present in metadata"),
                            e.getCause().getMessage());
                }
            }
            // The first send blocks its 300 ms; the decisions queued behind it are past their timeout by then.
            assertTrue(notSent >= 1, "no decision was given up after waiting for the sender");
        }
    }

    private static Decision decision(String requestId) {
        return Decision.newBuilder()
                .setRequestId(requestId).setSlot("home").setScope("home@enc").setTimestamp(Instant.now())
                .setContext(List.of(0.5f)).setCandidates(List.of(new Candidate("c0", List.of(0f))))
                .setK(1).setChosen(List.of(new ChosenCandidate("c0", 0, 0.1, 0.2, 1.0, List.of(1f, 1f), null)))
                .setSeed(0L).setEncoderVersion("enc").setPosteriorVersion(0L).setPropensitySamples(16).build();
    }
}
