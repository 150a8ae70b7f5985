package io.vitrine.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void portsAreDistinctBindableAndBelowTheEphemeralRange() throws Exception {
        int ephemeralStart = 32_768;
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.exists(range)) {
            try (InputStream in = Files.newInputStream(range)) {
                ephemeralStart = Integer.parseInt(new String(in.readAllBytes()).trim().split("\\s+")[0]);
            }
        }
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.next();
            assertTrue(port < ephemeralStart, port + " is below the ephemeral range starting at " + ephemeralStart);
            ports.add(port);
        }
        assertEquals(200, ports.size(), "no port handed out twice");
        int port = ports.iterator().next();
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(port));
            assertFalse(FreePorts.isFree(port), "a bound port is not free");
        }
        assertTrue(FreePorts.isFree(port));
    }
}
