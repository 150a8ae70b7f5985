package io.vitrine.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for brokers and services that tests and local runs start, chosen below the kernel's ephemeral range.
 *
 * <p>Why not port 0: the kernel hands out port 0 binds from the same range it uses for the local side of
 * outgoing connections. Between choosing a port and the service binding it (seconds, for a JVM that boots),
 * any client connection (Kafka clients open many) can take that port, and the service then dies with
 * "address already in use". A port below the ephemeral range is only ever taken by someone binding it on
 * purpose. Ports handed out by this JVM are remembered so that two services started together never get the
 * same one.
 */
public final class FreePorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    /** Linux's default start of the ephemeral range, for systems that do not tell. */
    private static final int DEFAULT_EPHEMERAL_START = 32_768;
    private static final int ATTEMPTS = 1_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port nobody listens on now, never handed out before by this JVM, outside the ephemeral range. */
    public static int next() {
        int end = ephemeralStart();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = random.nextInt(LOWEST, end);
            if (!HANDED_OUT.contains(port) && isFree(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + LOWEST + ".." + (end - 1) + " after " + ATTEMPTS
                + " attempts");
    }

    /** True when nothing listens on the port (on any address). */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int ephemeralStart() {
        try {
            // Read as a stream: Files.readString trusts the size procfs reports (0) and returns a truncated text.
            String text;
            try (InputStream in = Files.newInputStream(EPHEMERAL_RANGE)) {
                text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            }
            String[] range = text.trim().split("\\s+");
            int start = Integer.parseInt(range[0]);
            return start > LOWEST + 1_000 ? start : DEFAULT_EPHEMERAL_START;
        } catch (IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_START;
        }
    }
}
