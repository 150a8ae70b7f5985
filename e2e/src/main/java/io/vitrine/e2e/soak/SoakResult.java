package io.vitrine.e2e.soak;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a soak did and what the checks found. The soak holds when {@link #failures()} is empty.
 *
 * @param events             events acknowledged: decisions answered 200, impressions and clicks
 * @param decisionsAnswered  decision requests answered 200
 * @param decisionsFailed    requests not answered 200 (a killed selector, a decision not logged in time)
 * @param decisionsMissing   answered 200 but not on the decisions topic, or logged with another candidate
 * @param impressions        impressions written, each of which must give one reward
 * @param rewards            rewards on the rewards topic
 * @param lost               impressions without a reward
 * @param doubled            impressions with more than one reward
 * @param wrongKind          rewards of the wrong kind (a click counted as none, or the reverse) or of no impression
 * @param scopes             posteriors compared with the batch fit of their rewards
 * @param posteriorDifference largest relative difference between a learner's posterior (n, a, b_n, mu) and the
 *                           batch fit of the rewards on the topic, relative to max(1, |value|)
 * @param deadLetters        dead letters by service and reason (there must be none: every input is valid)
 * @param trainerRewards     rewards the trainer read from the log after its restarts
 * @param kills              the kills dealt
 * @param traffic            how long the traffic ran
 * @param brokerLoss         what the requests met while brokers were away, when the soak took brokers away
 * @param failures           what did not hold, one line each
 */
public record SoakResult(int events, int decisionsAnswered, int decisionsFailed, int decisionsMissing, int impressions,
                         int rewards, int lost, int doubled, int wrongKind, int scopes, double posteriorDifference,
                         Map<String, Integer> deadLetters, long trainerRewards, List<Chaos.Kill> kills,
                         Duration traffic, Optional<BrokerLossFindings> brokerLoss, List<String> failures) {

    public boolean holds() {
        return failures.isEmpty();
    }

    public int killCount() {
        return kills.size();
    }

    /** Kills per victim, e.g. {@code learner=5}. */
    public Map<String, Long> killsByVictim() {
        return kills.stream().collect(java.util.stream.Collectors.groupingBy(Chaos.Kill::victim,
                java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    /** The summary a person reads at the end. */
    public String summary() {
        StringBuilder text = new StringBuilder();
        text.append(String.format("soak: %,d events in %d s (%,d decisions answered 200, %,d not answered, %,d impressions)%n",
                events, traffic.toSeconds(), decisionsAnswered, decisionsFailed, impressions));
        text.append(String.format("  kills: %d %s%n", kills.size(), killsByVictim()));
        text.append(String.format("  decisions answered 200 missing from the decisions topic: %d%n", decisionsMissing));
        text.append(String.format("  rewards: %,d for %,d impressions: lost %d, doubled %d, wrong kind %d%n",
                rewards, impressions, lost, doubled, wrongKind));
        text.append(String.format("  posteriors: %d scopes, largest relative difference from the batch fit %.1e%n",
                scopes, posteriorDifference));
        text.append(String.format("  dead letters: %s%n", deadLetters.isEmpty() ? "none" : deadLetters));
        text.append(String.format("  trainer read %,d rewards after its restarts%n", trainerRewards));
        brokerLoss.ifPresent(findings -> text.append(findings.summary()));
        text.append(failures.isEmpty() ? "  HOLDS" : "  FAILED:" + System.lineSeparator() + "    "
                + String.join(System.lineSeparator() + "    ", failures));
        return text.toString();
    }
}
