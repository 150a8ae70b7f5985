package io.vitrine.cli.stack;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A child process whose output (stdout and stderr together) goes to a log file, with the waits a
 * launcher needs: for a line in the log, for a readiness check, and a stop that escalates from
 * SIGTERM to a kill.
 */
public final class ManagedProcess {

    private static final long POLL_MILLIS = 100;
    private static final long HEALTH_POLL_MILLIS = 250;

    private final String name;
    private final Process process;
    private final Path log;
    private long readOffset;
    private final StringBuilder partialLine = new StringBuilder();

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts the command in {@code workDir}; the log file is truncated first. */
    public static ManagedProcess start(String name, List<String> command, Path workDir, Path log)
            throws StackException {
        return start(name, command, Map.of(), workDir, log);
    }

    /** Starts the command with {@code environment} added to this process's environment. */
    public static ManagedProcess start(String name, List<String> command, Map<String, String> environment,
                                       Path workDir, Path log) throws StackException {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(inOwnSession(command))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            builder.environment().putAll(environment);
            builder.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            return new ManagedProcess(name, builder.start(), log);
        } catch (IOException e) {
            throw new StackException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs the command in a session of its own where {@code setsid} exists, so that Ctrl-C in the
     * terminal reaches only the launcher, which then stops its processes in order (services before
     * Kafka). Without it every process would get the signal at once and the services would hang on
     * a broker that is already gone. {@code setsid} execs in place: the PID stays the child's.
     */
    private static List<String> inOwnSession(List<String> command) {
        for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(setsid))) {
                List<String> wrapped = new java.util.ArrayList<>(command.size() + 1);
                wrapped.add(setsid);
                wrapped.addAll(command);
                return wrapped;
            }
        }
        return command;
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until a log line starts with {@code prefix} and returns it; fails if the process exits or
     * the time runs out first.
     */
    public String awaitLine(String prefix, Duration timeout) throws StackException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> line = newLines().stream().filter(l -> l.startsWith(prefix)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            checkStillRunning();
            if (System.nanoTime() > deadline) {
                throw failure("did not print '" + prefix + "' within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Waits until {@code check} answers empty (ready); fails if the process exits or the time runs out
     * first, quoting the check's last answer.
     */
    public void await(Supplier<Optional<String>> check, String what, Duration timeout)
            throws StackException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<String> notReady;
        while ((notReady = check.get()).isPresent()) {
            checkStillRunning();
            if (System.nanoTime() > deadline) {
                throw failure("was not " + what + " within " + timeout.toSeconds() + " s (last answer: "
                        + notReady.get() + ")");
            }
            Thread.sleep(HEALTH_POLL_MILLIS);
        }
    }

    private void checkStillRunning() throws StackException {
        if (!process.isAlive()) {
            throw failure("exited with code " + process.exitValue());
        }
    }

    /** A failure of this process, with the end of its log. */
    public StackException failure(String what) {
        StringBuilder message = new StringBuilder(name).append(' ').append(what)
                .append(". Last lines of ").append(log).append(':');
        for (String line : tail(30)) {
            message.append(System.lineSeparator()).append("  | ").append(line);
        }
        return new StackException(message.toString());
    }

    /** Lines written to the log since the previous call. */
    private List<String> newLines() {
        List<String> lines = new ArrayList<>();
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            if (length <= readOffset) {
                return lines;
            }
            byte[] bytes = new byte[(int) Math.min(length - readOffset, 1 << 20)];
            file.seek(readOffset);
            file.readFully(bytes);
            readOffset += bytes.length;
            partialLine.append(new String(bytes, StandardCharsets.UTF_8));
            int newline;
            while ((newline = partialLine.indexOf("\n")) >= 0) {
                lines.add(partialLine.substring(0, newline).stripTrailing());
                partialLine.delete(0, newline + 1);
            }
        } catch (IOException e) {
            // Not written yet: nothing new.
        }
        return lines;
    }

    /** The last {@code n} lines of the log. */
    public List<String> tail(int n) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            long from = Math.max(0, length - 64 * 1024);
            byte[] bytes = new byte[(int) (length - from)];
            file.seek(from);
            file.readFully(bytes);
            List<String> lines = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
            return lines.subList(Math.max(0, lines.size() - n), lines.size());
        } catch (IOException e) {
            return List.of("(cannot read the log: " + e.getMessage() + ")");
        }
    }

    /**
     * Asks the process to stop (SIGTERM, which runs its shutdown hooks) and kills it if it is still
     * running after {@code grace}. Returns true if it stopped by itself.
     */
    public boolean stop(Duration grace) {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        try {
            if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Kills the process at once (SIGKILL on Unix: no shutdown hook runs) and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
