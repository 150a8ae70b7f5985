package io.vitrine.e2e.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the decision requests met while brokers were away, from the traffic's samples and the outages' times.
 *
 * @param outages                 the outages dealt
 * @param slackMillis             what an answer may take beyond the log timeout: 2 s, or the 99th percentile of the
 *                                200 answers before the first outage if the machine was slower than that (a starved
 *                                machine delays every answer, not only those that wait for Kafka). Not less than 2 s:
 *                                a 503 may come through two selectors (forwarded to its request id's owner), and a
 *                                broker starting again loads the machine more than the traffic before the outage did;
 *                                with 1 s a 503 answered after 6,008 ms failed a run. A request held by Kafka's
 *                                {@code send} (up to its max.block.ms) or never answered still exceeds it.
 * @param answered503             requests answered 503 with an RFC 9457 problem within the log timeout + the slack
 * @param answeredOtherwise       requests sent from the first outage on and answered neither 200 nor such a 503
 *                                (another status, no problem document, a 503 later than the bound, or no answer at
 *                                all): each one is a failure
 * @param failedBeforeOutages     requests sent before the first outage and not answered 200: the machine's doing
 *                                (a starved machine), not the brokers'; reported, not judged
 * @param answeredOkWhileDown     requests sent while a broker was away (from its signal until it was ready again)
 *                                and answered 200
 * @param sentWhileDown           requests sent while a broker was away
 * @param slowestFailureMillis    the slowest answer that was not 200
 * @param recoveredAfterMillis    for each outage, from the broker ready again to the last request sent after that
 *                                which was not answered 200 (0: every one was)
 * @param examples                a few of the answers counted in {@code answeredOtherwise}
 */
public record BrokerLossFindings(List<BrokerOutages.Outage> outages, long slackMillis, int answered503,
                                 int answeredOtherwise, int failedBeforeOutages,
                                 int answeredOkWhileDown, int sentWhileDown, long slowestFailureMillis,
                                 List<Long> recoveredAfterMillis, List<String> examples) {

    /**
     * After a broker is back, requests may still fail this long (the clients find the new leaders, the transactions
     * abort); a failure later than that means a service did not recover by itself.
     */
    static final Duration RECOVERY = Duration.ofSeconds(30);

    /** The least an answer may take beyond the log timeout (see {@code slackMillis}). */
    static final Duration MIN_SLACK = Duration.ofSeconds(2);

    /** Reads the samples against the outages; {@code logTimeout} is the selectors' vitrine.selector.log-timeout. */
    static BrokerLossFindings of(List<Traffic.Sample> samples, List<BrokerOutages.Outage> outages,
                                 Duration logTimeout) {
        long firstOutage = outages.isEmpty() ? Long.MAX_VALUE : outages.get(0).atMillis();
        List<Long> before = samples.stream().filter(s -> s.ok() && s.sentAtMillis() < firstOutage)
                .map(Traffic.Sample::latencyMicros).toList();
        long slack = Math.max(MIN_SLACK.toMillis(), Math.round(SoakPlot.quantileOf(before, 0.99) / 1_000));
        long bound = (logTimeout.toMillis() + slack) * 1_000;
        int answered503 = 0;
        int otherwise = 0;
        int failedBefore = 0;
        int okWhileDown = 0;
        int whileDown = 0;
        long slowest = 0;
        List<String> examples = new ArrayList<>();
        long[] lastFailure = new long[outages.size()];
        for (Traffic.Sample sample : samples) {
            boolean down = outages.stream().anyMatch(o -> sample.sentAtMillis() >= o.atMillis()
                    && sample.sentAtMillis() <= o.readyMillis());
            if (down) {
                whileDown++;
                okWhileDown += sample.ok() ? 1 : 0;
            }
            if (sample.ok()) {
                continue;
            }
            if (sample.sentAtMillis() < firstOutage) {
                failedBefore++;
                continue;
            }
            slowest = Math.max(slowest, sample.latencyMicros() / 1_000);
            if (sample.status() == 503 && sample.problem() && sample.latencyMicros() <= bound) {
                answered503++;
            } else {
                otherwise++;
                if (examples.size() < 5) {
                    examples.add(String.format("sent at %.1f s: %s after %d ms", sample.sentAtMillis() / 1_000.0,
                            sample.status() == 0 ? "no answer" : sample.status() + (sample.problem() ? " problem"
                                    : " without a problem document"), sample.latencyMicros() / 1_000));
                }
            }
            for (int i = 0; i < outages.size(); i++) {
                long readyAt = outages.get(i).readyMillis();
                long nextAt = i + 1 < outages.size() ? outages.get(i + 1).atMillis() : Long.MAX_VALUE;
                if (sample.sentAtMillis() > readyAt && sample.sentAtMillis() < nextAt) {
                    lastFailure[i] = Math.max(lastFailure[i], sample.sentAtMillis() - readyAt);
                }
            }
        }
        List<Long> recovered = new ArrayList<>();
        for (long after : lastFailure) {
            recovered.add(after);
        }
        return new BrokerLossFindings(List.copyOf(outages), slack, answered503, otherwise, failedBefore, okWhileDown, whileDown, slowest,
                recovered, examples);
    }

    /**
     * What does not hold: an answer other than 200 or a timely 503 problem; an outage that never reached the
     * selectors (a single broker down, yet no 503) or, in a cluster, no decision answered while a broker was away; a
     * failure later than {@link #RECOVERY} after a broker was back.
     */
    List<String> failures(int brokers, int outagesPlanned, Duration logTimeout) {
        List<String> failures = new ArrayList<>();
        if (outages.size() < outagesPlanned) {
            failures.add("only " + outages.size() + " of " + outagesPlanned + " broker outages were dealt");
        }
        if (answeredOtherwise > 0) {
            failures.add(answeredOtherwise + " decision requests were answered neither 200 nor 503 with a problem"
                    + " within the log timeout (" + logTimeout + ") + " + slackMillis + " ms, e.g. " + examples);
        }
        if (brokers == 1 && answered503 == 0) {
            failures.add("no request was answered 503 while the only broker was away: the outages did not reach"
                    + " the selectors");
        }
        if (brokers > 1 && answeredOkWhileDown == 0) {
            failures.add("no decision was answered 200 while one broker of " + brokers + " was away");
        }
        for (int i = 0; i < recoveredAfterMillis.size(); i++) {
            if (recoveredAfterMillis.get(i) > RECOVERY.toMillis()) {
                failures.add(String.format("a request sent %.1f s after broker outage %d ended still failed",
                        recoveredAfterMillis.get(i) / 1_000.0, i + 1));
            }
        }
        return failures;
    }

    /** Lines for the soak's summary. */
    String summary() {
        StringBuilder text = new StringBuilder();
        for (BrokerOutages.Outage outage : outages) {
            text.append(String.format("  broker kafka-%d %s at %.1f s, gone after %.1f s, started again at %.1f s,"
                            + " ready at %.1f s%n", outage.node() + 1, outage.signal(), outage.atMillis() / 1_000.0,
                    (outage.goneMillis() - outage.atMillis()) / 1_000.0, outage.restartMillis() / 1_000.0,
                    outage.readyMillis() / 1_000.0));
        }
        text.append(String.format("  while a broker was away: %,d requests sent, %,d answered 200; answered 503 with a"
                        + " problem within the log timeout + %d ms: %,d; otherwise: %d; slowest answer not 200: %d ms%n",
                sentWhileDown, answeredOkWhileDown, slackMillis, answered503, answeredOtherwise, slowestFailureMillis));
        text.append(String.format("  before the first outage: %,d requests not answered 200 (the machine's load; p99"
                + " of the answers then %d ms, or less)%n", failedBeforeOutages, slackMillis));
        List<String> recovered = recoveredAfterMillis.stream().map(ms -> String.format("%.1f s", ms / 1_000.0)).toList();
        text.append(String.format("  last failed request after each broker was back: %s%n", recovered));
        return text.toString();
    }
}
