package io.vitrine.selector.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hop to a request id's owner, against a plain HTTP server (the JDK's) standing in for the owner. */
class OwnerForwardingTest {

    private static final HostInfo SELF = new HostInfo("10.0.0.7", 8080);
    private static final byte[] BODY = "{\"requestId\":\"r-1\", \"slot\":\"s\"}".getBytes(StandardCharsets.UTF_8);

    private HttpServer owner;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        if (owner != null) {
            owner.stop(0);
        }
    }

    @Test
    void theRequestReachesTheOwnerWithItsBodyKeyAndMarkAndTheOwnersAnswerIsRelayed() throws Exception {
        AtomicReference<Headers> seen = new AtomicReference<>();
        AtomicReference<byte[]> seenBody = new AtomicReference<>();
        AtomicReference<String> seenPath = new AtomicReference<>();
        byte[] problem = "{\"status\":409,\"title\":\"Conflict\"}".getBytes(StandardCharsets.UTF_8);
        HostInfo at = start(exchange -> {
            seen.set(exchange.getRequestHeaders());
            seenBody.set(exchange.getRequestBody().readAllBytes());
            seenPath.set(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
            exchange.getResponseHeaders().add(OwnerForwarding.SERVED_BY_HEADER, "owner:8080");
            exchange.getResponseHeaders().add("X-Internal", "not relayed");
            exchange.sendResponseHeaders(409, problem.length);
            exchange.getResponseBody().write(problem);
            exchange.close();
        });
        Map<String, List<String>> headers = Map.of("Content-Type", List.of("application/json"),
                "X-Api-Key", List.of("key-1"), "Accept-Encoding", List.of("gzip"), "Host", List.of("lb:80"),
                "Connection", List.of("keep-alive"), "traceparent", List.of("00-abc-def-01"));

        OwnerForwarding.Outcome outcome = new OwnerForwarding(Duration.ofSeconds(5), SELF)
                .forward(at, "/v1/decisions", BODY, headers).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertEquals("POST /v1/decisions", seenPath.get());
        assertArrayEquals(BODY, seenBody.get(), "the body as the client sent it");
        assertEquals("key-1", seen.get().getFirst("X-Api-Key"), "the client's API key");
        assertEquals("application/json", seen.get().getFirst("Content-Type"));
        assertEquals("00-abc-def-01", seen.get().getFirst("traceparent"), "end-to-end headers pass");
        assertEquals("10.0.0.7:8080", seen.get().getFirst(OwnerForwarding.FORWARDED_HEADER), "marked as forwarded");
        assertNull(seen.get().getFirst("Accept-Encoding"), "the answer is asked for plain");
        Response relayed = assertInstanceOf(OwnerForwarding.Answered.class, outcome).answer();
        assertEquals(409, relayed.getStatus());
        assertArrayEquals(problem, (byte[]) relayed.getEntity());
        assertEquals("application/problem+json", relayed.getHeaderString("Content-Type"));
        assertEquals("owner:8080", relayed.getHeaderString(OwnerForwarding.SERVED_BY_HEADER));
        assertNull(relayed.getHeaderString("X-Internal"), "only the headers a client reads");
    }

    @Test
    void anOwnerThatTookTheRequestButDidNotAnswerWithinTheTimeoutTimedOut() throws Exception {
        HostInfo at = start(exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        OwnerForwarding.Outcome outcome = new OwnerForwarding(Duration.ofMillis(300), SELF)
                .forward(at, "/v1/decisions", BODY, Map.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(new OwnerForwarding.TimedOut(Duration.ofMillis(300)), outcome,
                "the owner may still decide: the caller must not decide too");
    }

    @Test
    void anOwnerThatIsGoneIsUnreachable() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        OwnerForwarding.Outcome outcome = new OwnerForwarding(Duration.ofSeconds(2), SELF)
                .forward(new HostInfo("127.0.0.1", closed), "/v1/decisions", BODY, Map.of())
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertInstanceOf(OwnerForwarding.Unreachable.class, outcome, "the caller decides itself");
    }

    @Test
    void anOwnerNoConnectionReachesIsUnreachableNotTimedOut() throws Exception {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): nothing answers there, so the connection attempt times out or fails.
        OwnerForwarding.Outcome outcome = new OwnerForwarding(Duration.ofMillis(300), SELF)
                .forward(new HostInfo("192.0.2.1", 8080), "/v1/decisions", BODY, Map.of())
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertInstanceOf(OwnerForwarding.Unreachable.class, outcome, "never had the request: the caller decides");
    }

    private HostInfo start(com.sun.net.httpserver.HttpHandler handler) throws IOException {
        owner = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        owner.createContext("/", handler);
        owner.start();
        return new HostInfo("127.0.0.1", owner.getAddress().getPort());
    }
}
