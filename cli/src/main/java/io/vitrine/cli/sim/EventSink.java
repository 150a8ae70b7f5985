package io.vitrine.cli.sim;

import java.time.Instant;
import java.util.Optional;

/**
 * Where the simulated front end reports what the visitor saw and clicked. Implementations must be
 * safe for concurrent use and must not block for long (the Kafka one sends asynchronously).
 */
public interface EventSink extends AutoCloseable {

    void impression(String requestId, String candidateId, Instant timestamp);

    void click(String requestId, String candidateId, Instant timestamp);

    /** Blocks until every event reported so far is written. */
    void flush();

    /** Events that could not be written. */
    long failures();

    /** The first write failure, for the report. */
    Optional<String> firstFailure();

    @Override
    void close();
}
