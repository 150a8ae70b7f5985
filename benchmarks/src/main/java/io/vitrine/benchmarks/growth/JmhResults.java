package io.vitrine.benchmarks.growth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results of a JMH run in sample-time mode as JMH writes them with {@code -rf json}: one entry per benchmark
 * method and parameter combination, with its median and 99th percentile per operation.
 */
public final class JmhResults {

    /**
     * One benchmark method at one combination of parameters.
     *
     * @param method the method's name, e.g. {@code decision}
     * @param params the {@code @Param} values, e.g. {@code K=20}
     * @param fastest the fastest operation (JMH's p0), in {@code unit}: on a loaded machine the one least
     *                disturbed by other processes
     * @param median  per operation, in {@code unit}
     * @param p99     per operation, in {@code unit}
     */
    public record Result(String benchmark, String method, Map<String, String> params, double fastest, double median,
                         double p99, String unit) {

        /** An integer parameter; fails naming the benchmark when it has no such parameter. */
        public int intParam(String name) {
            String value = params.get(name);
            if (value == null) {
                throw new IllegalArgumentException(benchmark + " " + params + " has no parameter " + name);
            }
            return Integer.parseInt(value);
        }

        public boolean hasParam(String name) {
            return params.containsKey(name);
        }
    }

    private JmhResults() {
    }

    public static List<Result> read(Path json) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json.toFile());
        } catch (IOException e) {
            throw new IOException(json + " is not JMH's JSON output (-rf json): " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new IOException(json + " is empty: JMH writes its JSON (-rf json) only when the run ends");
        }
        if (!root.isArray()) {
            throw new IOException(json + " is not JMH's JSON output (-rf json): expected an array of results");
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            results.add(result(root.get(i), json + ", result " + i));
        }
        return results;
    }

    private static Result result(JsonNode entry, String where) throws IOException {
        String benchmark = text(entry, "benchmark", where);
        if (!"sample".equals(entry.path("mode").asText())) {
            throw new IOException(where + " (" + benchmark + "): mode '" + entry.path("mode").asText()
                    + "', expected 'sample' (@BenchmarkMode(Mode.SampleTime)): only it gives percentiles");
        }
        Map<String, String> params = new LinkedHashMap<>();
        entry.path("params").fields().forEachRemaining(field -> params.put(field.getKey(), field.getValue().asText()));
        JsonNode metric = entry.path("primaryMetric");
        JsonNode percentiles = metric.path("scorePercentiles");
        return new Result(benchmark, benchmark.substring(benchmark.lastIndexOf('.') + 1), params,
                number(percentiles, "0.0", where + " (" + benchmark + ")"),
                number(percentiles, "50.0", where + " (" + benchmark + ")"),
                number(percentiles, "99.0", where + " (" + benchmark + ")"), text(metric, "scoreUnit", where));
    }

    private static String text(JsonNode node, String field, String where) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IOException(where + ": no text field '" + field + "'");
        }
        return value.asText();
    }

    private static double number(JsonNode node, String field, String where) throws IOException {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IOException(where + ": no percentile '" + field + "' in primaryMetric.scorePercentiles");
        }
        return value.asDouble();
    }
}
