package io.vitrine.loadtest.learner;

/**
 * One step of the learner load test: {@code offered} requests per second (each a decision and its impression, some
 * clicked) for {@code seconds}, with their impressions and clicks placed as {@code placement} says.
 *
 * @param rewards          distinct rewards of the step's requests read from the rewards topic (one per request
 *                         when nothing is lost)
 * @param duplicates       rewards read a second time for the same request (0 when exactly once holds)
 * @param applied          rewards found in a published posterior of their scope
 * @param rewardsPerSecond rewards of the step read per second, from the first to the last
 * @param rewardP50        milliseconds from the end of a request's attribution window (plus the allowed lateness)
 *                         to its reward on the topic; p99 and max likewise
 * @param posteriorP50     milliseconds from a reward on the topic to a published posterior holding it
 * @param clickP50         milliseconds from a click's intended send time to a published posterior holding its reward:
 *                         the attribution window (with the learner's default window-end timing), the join, the
 *                         update and the publication together
 * @param maxSendLagMillis how late the generator sent its latest event (a generator that cannot keep its own rate
 *                         shows here, not as a faster learner)
 */
public record LearnerStepResult(String placement, int offered, double seconds, long requests, long clicks,
                                long rewards, long duplicates, long applied, double rewardsPerSecond,
                                double rewardP50, double rewardP99, double rewardMax,
                                double posteriorP50, double posteriorP99, double posteriorMax,
                                double clickP50, double clickP99, double clickMax, double maxSendLagMillis) {

    /** Every request rewarded once and in a posterior, with p99 of both delays within {@code goalMillis}. */
    public boolean keepsUp(double goalMillis) {
        return rewards == requests && duplicates == 0 && applied == requests && rewardP99 <= goalMillis
                && posteriorP99 <= goalMillis;
    }
}
