package io.vitrine.cli.sim;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/** An in-memory event sink. */
final class RecordingSink implements EventSink {

    record Event(String requestId, String candidateId, Instant timestamp) {
    }

    final ConcurrentLinkedQueue<Event> impressions = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Event> clicks = new ConcurrentLinkedQueue<>();

    @Override
    public void impression(String requestId, String candidateId, Instant timestamp) {
        impressions.add(new Event(requestId, candidateId, timestamp));
    }

    @Override
    public void click(String requestId, String candidateId, Instant timestamp) {
        clicks.add(new Event(requestId, candidateId, timestamp));
    }

    @Override
    public void flush() {
    }

    @Override
    public long failures() {
        return 0;
    }

    @Override
    public Optional<String> firstFailure() {
        return Optional.empty();
    }

    @Override
    public void close() {
    }

    List<Event> impressionList() {
        return List.copyOf(impressions);
    }
}
