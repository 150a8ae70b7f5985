package io.vitrine.selector.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.common.annotation.Blocking;
import io.vitrine.selector.config.SelectorConfig;
import io.vitrine.selector.decision.InvalidRequestException;
import io.vitrine.selector.decision.InvalidRequestException.Violation;
import io.vitrine.selector.events.EventLog;
import io.vitrine.selector.events.EventLog.Event;
import io.vitrine.selector.metrics.SelectorMetrics;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * {@code POST /v1/events}: impressions and clicks from front ends that have no Kafka producer, in batches; a click
 * may carry a value (a booking, revenue, dwell time), a finite number whose bounds the learner's reward rule checks. A batch
 * is all or nothing as far as its input goes: one bad event refuses the whole batch (400, each problem named) and
 * nothing of it is written. A valid batch is answered 202 once Kafka acknowledged every event. The contract is
 * META-INF/openapi.yaml.
 */
@Path("/v1/events")
public class EventResource {

    static final Set<String> BATCH_FIELDS = Set.of("events");
    static final Set<String> EVENT_FIELDS = Set.of("type", "requestId", "candidateId", "timestamp", "value");
    static final int MAX_ID_LENGTH = 256;
    private static final String TOO_MANY_EVENTS = "too-many-events";
    private static final String NOT_LOGGED = "not-logged";

    /** The answer: how many events of each type were written. */
    public record EventsAccepted(int accepted, int impressions, int clicks) {
    }

    private final EventLog log;
    private final Duration logTimeout;
    private final int maxBatch;
    private final Duration maxClockSkew;
    private final SelectorMetrics metrics;

    public EventResource(EventLog log, SelectorConfig config, SelectorMetrics metrics) {
        this.log = log;
        this.logTimeout = config.selector().logTimeout();
        this.maxBatch = config.events().maxBatch();
        this.maxClockSkew = config.events().maxClockSkew();
        this.metrics = metrics;
    }

    /** On a worker thread: fetching a topic's metadata may block the caller (at most the log timeout). */
    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @ResponseStatus(202)
    public CompletionStage<EventsAccepted> append(byte[] body) {
        List<Event> batch;
        try {
            batch = read(JsonFields.parse(body), maxBatch, Instant.now().plus(maxClockSkew));
        } catch (InvalidRequestException e) {
            metrics.eventBatchRejected(e.reason());
            throw e;
        }
        int impressions = (int) batch.stream().filter(event -> event.type() == EventLog.Type.IMPRESSION).count();
        int clicks = batch.size() - impressions;
        // The log timeout bounds the whole write: append returns at once (the log's own thread sends, and gives up a
        // batch that waited longer than the timeout), and the acknowledgements get what is left.
        long start = System.nanoTime();
        CompletableFuture<Void> acked = log.append(batch);
        long remaining = Math.max(1, logTimeout.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return acked
                .orTimeout(remaining, TimeUnit.MILLISECONDS)
                .handle((done, error) -> {
                    if (error != null) {
                        metrics.eventBatchRejected(NOT_LOGGED);
                        throw new EventsNotLoggedException(KafkaFailures.cause(error, logTimeout));
                    }
                    metrics.eventsAccepted("impression", impressions);
                    metrics.eventsAccepted("click", clicks);
                    return new EventsAccepted(batch.size(), impressions, clicks);
                });
    }

    /** Reads a batch by the rules of {@link JsonFields}: every problem of every event at once. */
    static List<Event> read(JsonNode root, int maxBatch, Instant latest) {
        JsonFields in = new JsonFields();
        ObjectNode body = in.object(root, JsonFields.BODY, BATCH_FIELDS);
        if (body == null) {
            in.throwIfInvalid();
        }
        ArrayNode items = in.array(body, "", "events", true);
        in.throwIfInvalid();
        if (items.isEmpty()) {
            in.add(new Violation("events", "must hold at least one event"));
        } else if (items.size() > maxBatch) {
            in.add(new Violation("events", "holds " + items.size() + " events, more than the limit of " + maxBatch
                    + " (vitrine.events.max-batch): send them in several requests", TOO_MANY_EVENTS));
        }
        in.throwIfInvalid();
        Instant received = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Event> batch = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String field = "events[" + i + "]";
            ObjectNode item = in.object(items.get(i), field, EVENT_FIELDS);
            if (item == null) {
                continue;
            }
            EventLog.Type type = type(in, in.text(item, field, "type", true), field);
            String requestId = id(in, in.text(item, field, "requestId", true), field + ".requestId");
            String candidateId = id(in, in.text(item, field, "candidateId", true), field + ".candidateId");
            String timestamp = in.text(item, field, "timestamp", false);
            Instant at = timestamp == null ? received : timestamp(in, timestamp, field + ".timestamp", latest);
            Double value = in.number(item, field, "value", false);
            if (value != null && type == EventLog.Type.IMPRESSION) {
                in.add(new Violation(field + ".value", "only a click carries a value (what the click led to), not an"
                        + " impression"));
                continue;
            }
            if (type != null && requestId != null && candidateId != null && at != null) {
                batch.add(new Event(type, requestId, candidateId, at, value));
            }
        }
        in.throwIfInvalid();
        return batch;
    }

    private static EventLog.Type type(JsonFields in, String type, String field) {
        if (type == null) {
            return null;
        }
        return switch (type) {
            case "impression" -> EventLog.Type.IMPRESSION;
            case "click" -> EventLog.Type.CLICK;
            default -> {
                in.add(new Violation(field + ".type", "must be \"impression\" or \"click\", got \"" + shorten(type)
                        + "\""));
                yield null;
            }
        };
    }

    private static String id(JsonFields in, String id, String field) {
        if (id == null) {
            return null;
        }
        if (id.isEmpty()) {
            in.add(new Violation(field, "must not be empty"));
            return null;
        }
        if (id.length() > MAX_ID_LENGTH) {
            in.add(new Violation(field, "is longer than " + MAX_ID_LENGTH + " characters"));
            return null;
        }
        return id;
    }

    /** An RFC 3339 time with its offset ({@code 2026-12-06T17:00:00.123Z}), to the millisecond (Avro's precision). */
    private static Instant timestamp(JsonFields in, String text, String field, Instant latest) {
        Instant at;
        try {
            at = OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            in.add(new Violation(field, "must be an RFC 3339 date-time with an offset, such as "
                    + "2026-12-06T17:00:00.123Z, got \"" + shorten(text) + "\""));
            return null;
        }
        if (at.isBefore(Instant.EPOCH)) {
            in.add(new Violation(field, "is before 1970-01-01T00:00:00Z, got " + text));
            return null;
        }
        if (at.isAfter(latest)) {
            in.add(new Violation(field, "is more than vitrine.events.max-clock-skew ahead of the selector's clock ("
                    + latest + "), got " + text));
            return null;
        }
        return at;
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
