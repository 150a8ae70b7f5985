package io.vitrine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vitrine.cli.http.VitrineHttp;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Follows the trainer while a run plays ({@code GET /v1/encoders} once a second) and says, as they happen, each
 * encoder version trained with its gate verdict, when its rebuild finished and when it took over; keeps them for the
 * run's summary.
 */
final class EncoderWatch implements AutoCloseable {

    /** One version as the run saw it; times in seconds since the watch started, NaN when it did not happen. */
    record Seen(String version, boolean gatePassed, String gate, double trainedAt, double readyAt, double servingAt) {
    }

    private final VitrineHttp http;
    private final URI trainer;
    private final PrintStream err;
    private final long start = System.nanoTime();
    private final Map<String, double[]> times = new LinkedHashMap<>();
    private final Map<String, JsonNode> latest = new LinkedHashMap<>();
    private final Set<String> reported = new HashSet<>();
    private final Thread thread;
    private volatile boolean running = true;
    private String serving;

    EncoderWatch(VitrineHttp http, URI trainer, PrintStream err) {
        this.http = http;
        this.trainer = trainer;
        this.err = err;
        this.thread = new Thread(this::run, "encoder-watch");
        this.thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                poll();
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                // the trainer may be busy; the next poll tells
            }
        }
    }

    private synchronized void poll() throws IOException, InterruptedException {
        JsonNode view = http.encoders(trainer);
        double now = (System.nanoTime() - start) / 1e9;
        for (JsonNode version : view.path("versions")) {
            String name = version.path("version").asText();
            if (version.path("gatePassed").isNull() || version.path("gatePassed").isMissingNode()) {
                continue; // the built-in encoder
            }
            latest.put(name, version);
            double[] t = times.computeIfAbsent(name, k -> new double[] {now, Double.NaN, Double.NaN});
            if (reported.add(name + "/trained")) {
                err.printf(Locale.ROOT, "  [%5.1f s] encoder %s trained; gate: %s%n", now, name,
                        version.path("gate").asText());
            }
            if ("READY".equals(version.path("state").asText()) && Double.isNaN(t[1])) {
                t[1] = now;
                err.printf(Locale.ROOT, "  [%5.1f s] encoder %s rebuilt: its posteriors hold every reward%n", now, name);
            }
        }
        String nowServing = view.path("serving").asText();
        if (serving != null && !nowServing.equals(serving) || serving == null && times.containsKey(nowServing)) {
            double[] t = times.get(nowServing);
            if (t != null && Double.isNaN(t[2])) {
                t[2] = now;
            }
            err.printf(Locale.ROOT, "  [%5.1f s] encoder %s took over from %s (%s)%n", now, nowServing,
                    serving == null ? "the built-in encoder" : serving, view.path("reason").asText());
        }
        serving = nowServing;
    }

    /** What the run saw, oldest version first. */
    synchronized List<Seen> seen() {
        try {
            poll();
        } catch (IOException | InterruptedException | RuntimeException e) {
            // keep what was seen
        }
        List<Seen> seen = new ArrayList<>();
        for (var entry : times.entrySet()) {
            JsonNode v = latest.get(entry.getKey());
            double[] t = entry.getValue();
            seen.add(new Seen(entry.getKey(), v.path("gatePassed").asBoolean(), v.path("gate").asText(), t[0], t[1],
                    t[2]));
        }
        return seen;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
