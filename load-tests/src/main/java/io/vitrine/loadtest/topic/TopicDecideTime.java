package io.vitrine.loadtest.topic;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The selector's own time to decide a request of the topic path (encoding and sampling, without Kafka), read from
 * the sum and count of {@code vitrine_decision_latency_seconds{path="topic"}} on its Prometheus endpoint; the
 * difference of two readings gives a step's mean.
 */
public record TopicDecideTime(double seconds, long decided) {

    private static final String METRIC = "vitrine_decision_latency_seconds";

    public static TopicDecideTime read(HttpClient http, URI selector) throws IOException, InterruptedException {
        String text = http.send(HttpRequest.newBuilder(selector.resolve("/q/metrics")).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        long count = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !line.contains("path=\"topic\"")) {
                continue;
            }
            if (line.startsWith(METRIC + "_sum")) {
                sum = value(line);
            } else if (line.startsWith(METRIC + "_count")) {
                count = (long) value(line);
            }
        }
        return new TopicDecideTime(sum, count);
    }

    private static double value(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** Mean decision time in microseconds since {@code before}; NaN without decisions. */
    public double meanMicros(TopicDecideTime before) {
        long n = decided - before.decided;
        return n == 0 ? Double.NaN : (seconds - before.seconds) / n * 1e6;
    }
}
