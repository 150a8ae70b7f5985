package io.vitrine.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules: the PrometheusRule of k8s/base and the plain rules file hold the same groups, Prometheus' own
 * promtool accepts them and passes their unit tests (synthetic series, deploy/prometheus/vitrine-rules.test.yml),
 * every metric they query exists, and every alert has its runbook section in docs/deploy.md.
 */
class AlertRulesTest {

    static final Path PLAIN = Repo.root().resolve("deploy/prometheus/vitrine-rules.yml");
    static final Path TESTS = Repo.root().resolve("deploy/prometheus/vitrine-rules.test.yml");
    static final Path OPERATOR = Repo.root().resolve("k8s/base/prometheus-rule.yaml");
    /** PromQL words in the rules that are not metrics. */
    private static final Set<String> PROMQL = Set.of("sum", "max", "min", "count", "rate", "increase", "deriv", "delta", "by", "on",
            "and", "or", "unless", "m", "s");

    @Test
    void operatorRuleAndPlainFileHoldTheSameGroups() {
        ObjectNode plain = Repo.yamlFile(PLAIN);
        ObjectNode operator = Repo.yamlFile(OPERATOR);
        assertEquals("PrometheusRule", operator.path("kind").asText());
        assertEquals(plain.path("groups"), operator.path("spec").path("groups"));
        assertTrue(plain.path("groups").get(0).path("rules").size() >= 6, "the six alerts");
    }

    @Test
    void promtoolChecksTheRulesAndPassesTheirTests() throws Exception {
        String checked = promtool("check", "rules", PLAIN.toString());
        assertTrue(checked.contains("SUCCESS: 9 rules found"), checked);
        String tested = promtool("test", "rules", TESTS.toString());
        assertTrue(tested.contains("SUCCESS"), tested);
    }

    @Test
    void everyQueriedMetricExists() {
        Set<String> known = new TreeSet<>(DashboardTest.registeredVitrineMetrics());
        known.addAll(DashboardTest.exportedMetrics());
        known.add("up");
        Set<String> unknown = new TreeSet<>();
        for (JsonNode rule : rules()) {
            String stripped = rule.path("expr").asText().replaceAll("\\{[^}]*}", "").replaceAll("\\[[^]]*]", "")
                    .replaceAll("(by|on)\\s*\\([^)]*\\)", "");
            Matcher identifier = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(stripped);
            while (identifier.find()) {
                if (!PROMQL.contains(identifier.group()) && !known.contains(identifier.group())) {
                    unknown.add(rule.path("alert").asText() + ": " + identifier.group());
                }
            }
        }
        assertEquals(Set.of(), unknown);
    }

    @Test
    void everyAlertHasARunbookSection() {
        String deploy = Repo.read(Repo.root().resolve("docs/deploy.md"));
        for (JsonNode rule : rules()) {
            String alert = rule.path("alert").asText();
            assertTrue(deploy.contains("\n#### " + alert + "\n"), alert + " has a section in docs/deploy.md");
            assertEquals("docs/deploy.md#" + alert.toLowerCase(Locale.ROOT),
                    rule.path("annotations").path("runbook_url").asText(), alert + " links to it");
            for (String label : List.of("severity")) {
                assertTrue(rule.path("labels").has(label), alert + " has a " + label);
            }
        }
    }

    private static List<JsonNode> rules() {
        List<JsonNode> rules = new ArrayList<>();
        Repo.yamlFile(PLAIN).path("groups").forEach(group -> group.path("rules").forEach(rules::add));
        return rules;
    }

    /** Runs Prometheus' promtool (Debian's prometheus package); fails on a non-zero exit with its output. */
    static String promtool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).directory(TESTS.getParent().toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError("promtool is needed (apt-get install prometheus): " + e.getMessage(), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "promtool finished");
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
        return output;
    }
}
