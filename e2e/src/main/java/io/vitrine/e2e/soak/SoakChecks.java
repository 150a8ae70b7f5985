package io.vitrine.e2e.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.e2e.CommittedRecords;
import io.vitrine.e2e.ServiceProcess;
import io.vitrine.schemas.AvroArrays;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The soak's checks, on what the services wrote to Kafka and what the learner serves, against what the traffic
 * recorded: every decision answered 200 is logged with the candidate it answered, every impression gave exactly one
 * reward of the right kind, every posterior equals the batch fit of its scope's rewards on the topic (what a run
 * without a crash computes from the same rewards), nothing became a dead letter, and the trainer read every reward.
 * Each finding that does not hold adds a line to {@code failures}.
 */
final class SoakChecks {

    /** Relative tolerance of the posterior comparison: the sums are the same, in the same order, but may be rounded. */
    static final double TOLERANCE = 1e-9;

    private final String bootstrap;
    private final String prefix;
    private final List<String> failures = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    SoakChecks(String bootstrap, String prefix) {
        this.bootstrap = bootstrap;
        this.prefix = prefix;
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Decisions answered 200 that are not on the topic, or are there with another chosen candidate. */
    int missingDecisions(Map<String, String> answered) {
        Set<String> unseen = new HashSet<>(answered.keySet());
        Map<String, String> logged = new HashMap<>();
        int[] read = {0};
        CommittedRecords.read(bootstrap, Topic.DECISIONS.name(prefix),
                AvroSerdes.registryless(Decision.class).deserializer(), records -> {
                    for (; read[0] < records.size(); read[0]++) {
                        Decision decision = records.get(read[0]).value();
                        unseen.remove(decision.getRequestId());
                        logged.putIfAbsent(decision.getRequestId(), decision.getChosen().get(0).getCandidateId());
                    }
                    return unseen.isEmpty();
                }, Duration.ofMinutes(2), Duration.ofSeconds(1));
        List<String> otherCandidate = answered.entrySet().stream()
                .filter(e -> logged.containsKey(e.getKey()) && !logged.get(e.getKey()).equals(e.getValue()))
                .map(Map.Entry::getKey).toList();
        if (!unseen.isEmpty()) {
            failures.add(unseen.size() + " decisions answered 200 are not on the decisions topic, e.g. "
                    + unseen.stream().limit(5).toList());
        }
        if (!otherCandidate.isEmpty()) {
            failures.add(otherCandidate.size() + " decisions answered 200 were logged with another candidate, e.g. "
                    + otherCandidate.stream().limit(5).toList());
        }
        return unseen.size() + otherCandidate.size();
    }

    /** The committed rewards, once there are as many as impressions, and a few seconds more so that doubles show. */
    List<Reward> rewards(int impressions) {
        return CommittedRecords.read(bootstrap, Topic.REWARDS.name(prefix),
                AvroSerdes.registryless(Reward.class).deserializer(), records -> records.size() >= impressions,
                Duration.ofMinutes(3), Duration.ofSeconds(5)).stream().map(ConsumerRecord::value).toList();
    }

    /** {@code [lost, doubled, wrong kind]}, each also a failure line when not zero. */
    int[] rewardsPerImpression(Map<String, Boolean> expected, List<Reward> rewards) {
        Map<String, Integer> seen = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        for (Reward reward : rewards) {
            String window = reward.getRequestId() + "/" + reward.getCandidateId();
            seen.merge(window, 1, Integer::sum);
            Boolean clicked = expected.get(window);
            if (clicked == null || reward.getKind() != (clicked ? RewardKind.CLICK : RewardKind.NO_CLICK)) {
                wrong.add(window + (clicked == null ? " (no impression)" : " (" + reward.getKind() + ")"));
            }
        }
        List<String> lost = expected.keySet().stream().filter(w -> !seen.containsKey(w)).toList();
        List<String> doubled = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        if (!lost.isEmpty()) {
            failures.add(lost.size() + " impressions gave no reward, e.g. " + lost.stream().limit(5).toList());
        }
        if (!doubled.isEmpty()) {
            failures.add(doubled.size() + " impressions gave more than one reward, e.g. "
                    + doubled.stream().limit(5).toList());
        }
        if (!wrong.isEmpty()) {
            failures.add(wrong.size() + " rewards of the wrong kind or of no impression, e.g. "
                    + wrong.stream().limit(5).toList());
        }
        return new int[] {lost.size(), doubled.size(), wrong.size()};
    }

    /**
     * For every scope of the rewards, the learner's posterior once it counts them all, against the batch fit of
     * those rewards (their logged z and reward, in topic order) under the learner's default prior. Returns the
     * largest relative difference over n, a, b_n and mu.
     */
    double posteriorDifference(List<Reward> rewards, ServiceProcess learner) throws Exception {
        Map<String, SufficientStatistics> batch = new TreeMap<>();
        for (Reward reward : rewards) {
            float[] z = AvroArrays.floats(reward.getEmbedding());
            batch.computeIfAbsent(reward.getScope(), s -> SufficientStatistics.empty(z.length))
                    .update(z, reward.getReward());
        }
        double largest = 0;
        for (Map.Entry<String, SufficientStatistics> scope : batch.entrySet()) {
            NormalInverseGammaPosterior expected = NormalInverseGammaPosterior.fromStatistics(scope.getValue(),
                    NigPrior.DEFAULT);
            long count = Math.round(scope.getValue().n());
            JsonNode served = awaitVersion(learner, scope.getKey(), count);
            if (served == null) {
                continue;
            }
            double difference = Math.max(relative(count, served.path("n").asDouble()),
                    Math.max(relative(expected.a(), served.path("a").asDouble()),
                            relative(expected.bn(), served.path("bn").asDouble())));
            for (int j = 0; j < expected.mu().length; j++) {
                difference = Math.max(difference, relative(expected.mu()[j], served.path("mu").path(j).asDouble()));
            }
            if (difference > TOLERANCE) {
                failures.add(scope.getKey() + ": the posterior differs from the batch fit of its rewards by "
                        + difference + " (relative)");
            }
            largest = Math.max(largest, difference);
        }
        return largest;
    }

    private JsonNode awaitVersion(ServiceProcess learner, String scope, long version) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        ServiceProcess.Answer answer = null;
        while (System.nanoTime() < deadline) {
            answer = learner.posterior(scope);
            if (answer.status() == 200 && answer.body().path("version").asLong() == version) {
                return answer.body();
            }
            Thread.sleep(250);
        }
        failures.add("the posterior of " + scope + " did not reach version " + version + " (its rewards on the topic): "
                + (answer == null ? "no answer" : answer.status() + " " + answer.body()));
        return null;
    }

    private static double relative(double expected, double actual) {
        return Math.abs(expected - actual) / Math.max(1, Math.abs(expected));
    }

    /** Dead letters on the topic by service and reason; every input of the soak is valid, so each is a failure. */
    Map<String, Integer> deadLetters() {
        Map<String, Integer> byReason = new LinkedHashMap<>();
        List<String> examples = new ArrayList<>();
        for (ConsumerRecord<String, DeadLetter> record : CommittedRecords.read(bootstrap, Topic.DEAD_LETTERS.name(prefix),
                AvroSerdes.registryless(DeadLetter.class).deserializer(), records -> true, Duration.ofSeconds(30),
                Duration.ofSeconds(3))) {
            byReason.merge(record.value().getService() + "/" + record.value().getReason(), 1, Integer::sum);
            if (examples.size() < 3) {
                examples.add(record.value().getDetail());
            }
        }
        if (!byReason.isEmpty()) {
            failures.add("dead letters " + byReason + ", e.g. " + examples);
        }
        return byReason;
    }

    /** Rewards the trainer has read from the log, once it read {@code rewards} of them (or 60 s passed). */
    long trainerRewards(ServiceProcess trainer, int rewards) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long received = -1;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(trainer.uri().resolve("/v1/trainer"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                received = json.readTree(response.body()).path("rewardsReceived").asLong();
                if (received >= rewards) {
                    break;
                }
            }
            Thread.sleep(250);
        }
        if (received != rewards) {
            failures.add("the trainer read " + received + " rewards from the log, which holds " + rewards);
        }
        return received;
    }

    void fail(String failure) {
        failures.add(failure);
    }
}
