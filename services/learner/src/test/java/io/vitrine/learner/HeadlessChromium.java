package io.vitrine.learner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol with the JDK's WebSocket client: a page
 * that keeps a server-sent event stream open never "finishes loading", so {@code --dump-dom} cannot wait for it.
 */
final class HeadlessChromium implements AutoCloseable {

    static final String PATH = "/usr/bin/chromium";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    HeadlessChromium(Path profile, String url, int width, int height) throws Exception {
        process = new ProcessBuilder(PATH, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--window-size=" + width + "," + height, "--user-data-dir=" + profile.toAbsolutePath(), url)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            socket = connect(debuggingPort());
        } catch (Exception | AssertionError e) {
            process.destroyForcibly(); // no browser left behind by a failed start
            throw e;
        }
    }

    /** The WebSocket of the page Chromium opened. */
    private WebSocket connect(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String pageSocket = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (pageSocket == null && System.nanoTime() < deadline) {
            JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode target : targets) {
                if ("page".equals(target.path("type").asText())) {
                    pageSocket = target.path("webSocketDebuggerUrl").asText();
                }
            }
            Thread.sleep(100);
        }
        if (pageSocket == null) {
            throw new AssertionError("chromium opened no page");
        }
        return http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new Listener())
                .get(30, TimeUnit.SECONDS);
    }

    /** Chromium writes "DevTools listening on ws://127.0.0.1:PORT/..." on its standard error. */
    private int debuggingPort() throws IOException {
        BufferedReader errors = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8));
        Pattern listening = Pattern.compile("DevTools listening on ws://[^:]+:(\\d+)/");
        List<String> seen = new ArrayList<>();
        String line;
        while ((line = errors.readLine()) != null) {
            Matcher m = listening.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> errors.lines().forEach(l -> { }), "chromium-stderr");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
            seen.add(line);
        }
        throw new AssertionError("chromium exited without a DevTools port: " + String.join("\n", seen));
    }

    /** The value of a JavaScript expression in the page (JSON-serialisable). */
    JsonNode evaluate(String expression) throws Exception {
        ObjectNode params = JSON.createObjectNode().put("expression", expression).put("returnByValue", true);
        JsonNode result = call("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new AssertionError("script failed: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Evaluates {@code condition} until it is true. */
    void await(String condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!evaluate(condition).asBoolean(false)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + timeout + ": " + condition);
            }
            Thread.sleep(200);
        }
    }

    byte[] screenshot() throws Exception {
        JsonNode shot = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
        return Base64.getDecoder().decode(shot.path("data").asText());
    }

    private JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
        JsonNode reply = answer.get(30, TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new AssertionError(method + " failed: " + reply.get("error"));
        }
        return reply.path("result");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(text.toString());
                    CompletableFuture<JsonNode> waiting = message.has("id")
                            ? pending.remove(message.get("id").asInt()) : null;
                    if (waiting != null) {
                        waiting.complete(message);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                } finally {
                    text.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (socket != null) {
            socket.abort();
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
