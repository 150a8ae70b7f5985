package io.vitrine.benchmarks.growth;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One packaged service (learner or selector) started with {@code java -jar} as a process of its own, on a port and
 * a state directory of its own, output to a log file. The end-to-end tests have a fuller one ({@code e2e}'s
 * {@code ServiceProcess}); this module does not depend on it, because that would bring the command line and the
 * end-to-end tests into every build of the benchmarks.
 */
final class ServiceLauncher implements AutoCloseable {

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final long started = System.nanoTime();

    private ServiceLauncher(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * @param jvmOptions JVM options and {@code -D} properties beyond the port and state directory
     */
    static ServiceLauncher launch(String name, Path jar, Path stateDir, Path log, int port, List<String> jvmOptions)
            throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("no packaged " + name + " at " + jar
                    + ": package it first (./mvnw -B -ntp -pl services/learner,services/selector -am package -DskipTests)");
        }
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dkafka-streams.state.dir=" + stateDir);
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ServiceLauncher(name, process, port, log);
    }

    long pid() {
        return process.pid();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /**
     * How a start went, in seconds from the launch: when the service first answered on HTTP (Quarkus up; on this
     * shared machine most of a start is the JVM and Quarkus booting) and when {@code /q/health/ready} answered 200
     * (for the learner: tasks assigned and stores restored), with the most changelog records the readiness check
     * said were left to restore.
     */
    record Start(double httpSeconds, double readySeconds, long mostRecordsToRestore) {

        /** From the first HTTP answer to ready: the assignment and the restoration, without the boot. */
        double afterBootSeconds() {
            return readySeconds - httpSeconds;
        }
    }

    private static final java.util.regex.Pattern RECORDS_TO_RESTORE =
            java.util.regex.Pattern.compile("\"records-to-restore\"\\s*:\\s*(\\d+)");

    /** Waits until {@code /q/health/ready} answers 200. */
    Start awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = started + timeout.toNanos();
        double http = -1;
        long mostToRestore = 0;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue() + " before it was ready; see "
                        + log);
            }
            try {
                HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri("/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                double now = (System.nanoTime() - started) / 1e9;
                if (http < 0) {
                    http = now;
                }
                java.util.regex.Matcher left = RECORDS_TO_RESTORE.matcher(response.body());
                if (left.find()) {
                    mostToRestore = Math.max(mostToRestore, Long.parseLong(left.group(1)));
                }
                if (response.statusCode() == 200) {
                    return new Start(http, now, mostToRestore);
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(200);
        }
        throw new IOException(name + " not ready on " + uri("/q/health/ready") + " after " + timeout + "; see " + log);
    }

    /** SIGTERM, and SIGKILL if it has not stopped after 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
