package io.vitrine.loadtest.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The selector's own account of where a decision's time went, read from its Prometheus endpoint: the sums and
 * counts of {@code vitrine_decision_latency_seconds{path="http"}} (encoding and sampling) and
 * {@code vitrine_decision_log_write_seconds{outcome="acknowledged"}} (handing the record to Kafka until its
 * acknowledgement). The difference of two readings gives a step's means.
 */
public record SelectorTimes(double decideSeconds, long decided, double logSeconds, long logged) {

    private static final String DECIDE = "vitrine_decision_latency_seconds";
    private static final String LOG = "vitrine_decision_log_write_seconds";

    public static SelectorTimes read(HttpClient http, URI selector) throws IOException, InterruptedException {
        String text = http.send(HttpRequest.newBuilder(selector.resolve("/q/metrics")).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        double decideSum = 0;
        long decideCount = 0;
        double logSum = 0;
        long logCount = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            boolean onHttp = line.contains("path=\"http\"");
            boolean acknowledged = line.contains("outcome=\"acknowledged\"");
            if (line.startsWith(DECIDE + "_sum") && onHttp) {
                decideSum = value(line);
            } else if (line.startsWith(DECIDE + "_count") && onHttp) {
                decideCount = (long) value(line);
            } else if (line.startsWith(LOG + "_sum") && acknowledged) {
                logSum = value(line);
            } else if (line.startsWith(LOG + "_count") && acknowledged) {
                logCount = (long) value(line);
            }
        }
        return new SelectorTimes(decideSum, decideCount, logSum, logCount);
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** Mean decision time in microseconds since {@code before}; NaN without decisions. */
    public double meanDecideMicros(SelectorTimes before) {
        long n = decided - before.decided;
        return n == 0 ? Double.NaN : (decideSeconds - before.decideSeconds) / n * 1e6;
    }

    /** Mean wait for Kafka's acknowledgement in milliseconds since {@code before}; NaN without writes. */
    public double meanLogMillis(SelectorTimes before) {
        long n = logged - before.logged;
        return n == 0 ? Double.NaN : (logSeconds - before.logSeconds) / n * 1e3;
    }
}
