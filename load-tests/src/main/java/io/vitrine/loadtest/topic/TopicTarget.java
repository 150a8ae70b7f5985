package io.vitrine.loadtest.topic;

/**
 * What a step of the topic load test writes to and where the answer comes back.
 *
 * @param name         {@code raw} or {@code topic}, as reported
 * @param requestTopic where the requests are produced
 * @param answerTopic  where each request's answer appears, keyed by its request id: the request itself for the raw
 *                     round trip (no service in between), the selector's decision for the topic path
 */
public record TopicTarget(String name, String requestTopic, String answerTopic) {

    /** Kafka's own produce -> consume round trip: a consumer reads the requests' own topic. */
    public static TopicTarget raw(String topic) {
        return new TopicTarget("raw", topic, topic);
    }

    /** The selector's topic path: requests on {@code decision-requests}, decisions on {@code decisions}. */
    public static TopicTarget topicPath(String requests, String decisions) {
        return new TopicTarget("topic", requests, decisions);
    }

    boolean roundTrip() {
        return requestTopic.equals(answerTopic);
    }
}
