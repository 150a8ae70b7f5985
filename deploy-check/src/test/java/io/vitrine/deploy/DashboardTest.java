package io.vitrine.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every metric the Grafana dashboard queries exists: the vitrine_* ones are registered by the services' code (Micrometer
 * names, in Prometheus form), the others are among the names a running service exported (exported-metrics.txt).
 */
class DashboardTest {

    /** PromQL functions, aggregations and keywords the dashboard may use; any other identifier is a metric. */
    private static final Set<String> PROMQL = Set.of("sum", "max", "min", "avg", "count", "rate", "irate", "increase",
            "histogram_quantile", "by", "without", "on", "ignoring", "and", "or", "unless", "label_values");

    /** Prometheus names of the meters the services register (Counter, Timer, Gauge builders in services/). */
    static Set<String> registeredVitrineMetrics() {
        Set<String> names = new TreeSet<>();
        Pattern builder = Pattern.compile("(Counter|Timer|Gauge)\\.builder\\(\"([^\"]+)\"([^;]*?)\\.register\\(",
                Pattern.DOTALL);
        try (Stream<Path> files = Files.walk(Repo.root().resolve("services"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/"))
                    .toList()) {
                Matcher m = builder.matcher(Repo.read(file));
                while (m.find()) {
                    String base = m.group(2).replace('.', '_');
                    Matcher unit = Pattern.compile("\\.baseUnit\\(\"(\\w+)\"\\)").matcher(m.group(3));
                    switch (m.group(1)) {
                        case "Counter" -> names.add(base + "_total");
                        case "Timer" -> {
                            for (String suffix : List.of("_count", "_sum", "_max", "_bucket")) {
                                names.add(base + "_seconds" + suffix);
                            }
                        }
                        default -> names.add(unit.find() ? base + "_" + unit.group(1) : base);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    static Set<String> queriedMetrics(JsonNode dashboard) {
        Set<String> metrics = new TreeSet<>();
        List<String> expressions = new java.util.ArrayList<>();
        dashboard.findValues("expr").forEach(e -> expressions.add(e.asText()));
        dashboard.path("templating").path("list").forEach(v -> {
            if (v.path("type").asText().equals("query")) {
                expressions.add(v.path("query").asText());
            }
        });
        for (String expr : expressions) {
            String stripped = expr.replaceAll("\\{[^}]*}", "").replaceAll("\\[[^]]*]", "")
                    .replaceAll("(by|without)\\s*\\([^)]*\\)", "").replaceAll("\"[^\"]*\"", "");
            Matcher identifier = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(stripped);
            while (identifier.find()) {
                String name = identifier.group();
                if (!PROMQL.contains(name) && !name.equals("namespace")) {
                    metrics.add(name);
                }
            }
        }
        return metrics;
    }

    static Set<String> exportedMetrics() {
        return names("exported-metrics.txt");
    }

    private static Set<String> names(String resource) {
        Set<String> names = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(Repo.root().resolve("deploy-check/src/test/resources/" + resource))) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    names.add(line.trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    @Test
    void everyQueriedMetricIsExported() {
        JsonNode dashboard = Repo.json(Repo.read(Repo.root().resolve("deploy/grafana/vitrine.json")));
        Set<String> registered = registeredVitrineMetrics();
        Set<String> exported = exportedMetrics();
        Set<String> unknown = new TreeSet<>();
        for (String metric : queriedMetrics(dashboard)) {
            if (metric.startsWith("vitrine_") ? !registered.contains(metric) : !exported.contains(metric)) {
                unknown.add(metric);
            }
        }
        assertEquals(Set.of(), unknown, "registered by the code: " + registered);
    }

    @Test
    void encoderLifecycleRowShowsVersionsRebuildGateServingAndSwaps() {
        JsonNode dashboard = Repo.json(Repo.read(Repo.root().resolve("deploy/grafana/vitrine.json")));
        Set<String> inRow = queriedMetrics(row(dashboard, "Encoder lifecycle"));
        Set<String> expected = new TreeSet<>(Set.of("vitrine_trainer_versions_total",
                "vitrine_encoder_version_rewards_total", "vitrine_gate_verdicts_total",
                "vitrine_encoder_promotions_total", "vitrine_encoder_serving_info",
                "vitrine_encoder_version_replay_remaining", "vitrine_selector_encoder_swaps_total"));
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(inRow);
        assertEquals(Set.of(), missing, "on the row: " + inRow);
        Set<String> registered = registeredVitrineMetrics();
        assertTrue(registered.containsAll(expected), registered.toString());
    }

    /** promtool parses every query, each written as a recording rule (the variable $namespace as a value). */
    @Test
    void everyQueryIsValidPromQL() throws Exception {
        JsonNode dashboard = Repo.json(Repo.read(Repo.root().resolve("deploy/grafana/vitrine.json")));
        var rules = Repo.JSON.createArrayNode();
        for (JsonNode expr : dashboard.findValues("expr")) {
            rules.addObject().put("record", "dashboard:query:" + rules.size())
                    .put("expr", expr.asText().replace("$namespace", "vitrine"));
        }
        var file = Repo.JSON.createObjectNode();
        file.putArray("groups").addObject().put("name", "dashboard").set("rules", rules);
        Path target = Files.createDirectories(Repo.root().resolve("deploy-check/target")).resolve("dashboard-rules.yml");
        Files.writeString(target, Repo.YAML.writeValueAsString(file));
        String checked = AlertRulesTest.promtool("check", "rules", target.toString());
        assertTrue(checked.contains("SUCCESS: " + rules.size() + " rules found"), checked);
        assertTrue(rules.size() >= 30, rules.size() + " queries");
    }

    @Test
    void panelsHaveTheirOwnIdsAndPlaces() {
        JsonNode panels = Repo.json(Repo.read(Repo.root().resolve("deploy/grafana/vitrine.json"))).path("panels");
        Set<Integer> ids = new HashSet<>();
        List<String> problems = new java.util.ArrayList<>();
        for (int i = 0; i < panels.size(); i++) {
            JsonNode a = panels.get(i);
            if (!ids.add(a.path("id").asInt())) {
                problems.add("id " + a.path("id").asInt() + " repeated by '" + a.path("title").asText() + "'");
            }
            for (int j = 0; j < i; j++) {
                if (overlap(a.path("gridPos"), panels.get(j).path("gridPos"))) {
                    problems.add("'" + a.path("title").asText() + "' overlaps '" + panels.get(j).path("title").asText()
                            + "'");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    private static boolean overlap(JsonNode a, JsonNode b) {
        return a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt()
                && b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
                && a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt()
                && b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt();
    }

    /** The panels below a row panel of that title, up to the next row, as a dashboard of their own. */
    private static JsonNode row(JsonNode dashboard, String title) {
        var panels = Repo.JSON.createArrayNode();
        boolean inside = false;
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                inside = panel.path("title").asText().equals(title);
            } else if (inside) {
                panels.add(panel);
            }
        }
        assertTrue(panels.size() > 0, "no row '" + title + "' with panels");
        var row = Repo.JSON.createObjectNode();
        row.set("panels", panels);
        return row;
    }

    @Test
    void dashboardShowsEveryVitrineMetric() {
        JsonNode dashboard = Repo.json(Repo.read(Repo.root().resolve("deploy/grafana/vitrine.json")));
        Set<String> queried = queriedMetrics(dashboard);
        for (String metric : registeredVitrineMetrics()) {
            String family = metric.replaceAll("_(count|sum|max|bucket)$", "");
            assertTrue(queried.stream().anyMatch(q -> q.startsWith(family)), metric + " is on no panel");
        }
    }

    @Test
    void metricNamesAreReadFromTheCode() {
        Set<String> registered = registeredVitrineMetrics();
        for (String metric : List.of("vitrine_decisions_total", "vitrine_decision_latency_seconds_bucket",
                "vitrine_decisions_rejected_total", "vitrine_posterior_staleness_seconds", "vitrine_rewards_total",
                "vitrine_events_dropped_total", "vitrine_dead_letters_total")) {
            assertTrue(registered.contains(metric), metric + " not found in " + registered);
        }
        JsonNode wrong = Repo.json("{\"panels\":[{\"targets\":[{\"expr\":\"rate(vitrine_decision_total{path=\\\"http\\\"}[1m])\"}]}]}");
        assertEquals(Set.of("vitrine_decision_total"), queriedMetrics(wrong));
        assertTrue(!registered.contains("vitrine_decision_total"));
    }
}
