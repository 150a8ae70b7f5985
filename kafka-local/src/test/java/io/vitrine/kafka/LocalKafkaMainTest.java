package io.vitrine.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vitrine.schemas.Topic;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker as its own process, launched the way a developer or a script launches it. */
class LocalKafkaMainTest {

    @TempDir
    Path dataDir;

    @Test
    void theProcessPrintsTheReadyLineServesClientsAndExitsWhenTerminated() throws Exception {
        int port = LocalKafkaConfig.freePort();
        Process process = launch("--port", String.valueOf(port),
                "--controller-port", String.valueOf(LocalKafkaConfig.freePort()),
                "--data-dir", dataDir.resolve("kafka").toString(), "--topic-prefix", "local.");
        try {
            String bootstrap = awaitReadyLine(process);
            assertEquals("localhost:" + port, bootstrap);

            String topic = Topic.CLICKS.name("local.");
            try (var producer = KafkaClients.producer(bootstrap)) {
                producer.send(new ProducerRecord<>(topic, "request-1", "click")).get();
            }
            assertEquals(List.of("click"),
                    KafkaClients.valuesForKey(bootstrap, topic, "request-1", false, Duration.ofSeconds(15)));
        } finally {
            process.destroy();
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the process did not exit after SIGTERM");
    }

    @Test
    void theProcessExitsNonZeroWithAMessageWhenThePortIsInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("localhost", 0));
            Path errors = dataDir.resolve("stderr.txt");
            Process process = launchWithErrors(errors, "--port", String.valueOf(taken.getLocalPort()),
                    "--controller-port", String.valueOf(LocalKafkaConfig.freePort()),
                    "--data-dir", dataDir.resolve("kafka").toString());

            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the process did not exit");
            assertNotEquals(0, process.exitValue());
            String stderr = Files.readString(errors);
            assertTrue(stderr.contains("already in use"), stderr);
        }
    }

    private static Process launch(String... args) throws IOException {
        return builder(args).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static Process launchWithErrors(Path errors, String... args) throws IOException {
        return builder(args).redirectError(errors.toFile()).start();
    }

    private static ProcessBuilder builder(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                LocalKafkaMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /** Reads standard output until the ready line; returns its bootstrap address. */
    private static String awaitReadyLine(Process process) throws Exception {
        var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.startsWith(LocalKafkaMain.READY_PREFIX)) {
                        return line.substring(LocalKafkaMain.READY_PREFIX.length());
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String bootstrap = ready.get(60, TimeUnit.SECONDS);
        if (bootstrap == null) {
            fail("the process ended without the ready line, exit code " + process.waitFor());
        }
        return bootstrap;
    }
}
