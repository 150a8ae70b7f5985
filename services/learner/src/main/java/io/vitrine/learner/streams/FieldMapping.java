package io.vitrine.learner.streams;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import io.vitrine.avro.Click;
import io.vitrine.avro.Impression;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * How one kind of a site's own JSON events (impressions, clicks, or reward values) becomes Vitrine's record: a JSON
 * pointer (RFC 6901, Jackson's {@link JsonPointer}) per field, the format of the time, and optionally which records of
 * the topic are of this kind (the text at {@code kind-pointer} is one of {@code kind-values}). Declared under
 * {@code vitrine.mapping.<kind>.*}; checked when built, so that a bad pointer or an impossible mapping stops the
 * service with a message naming the key. A record that does not fit fails with a message naming the pointer and the
 * problem ({@link #decode}).
 */
final class FieldMapping {

    /** The kinds of event a site's topic may carry, and the record each becomes. */
    enum Kind {
        /** An {@code Impression}: starts an attribution window. */
        IMPRESSION("impression"),
        /** A {@code Click}, with a value when the mapping gives one. */
        CLICK("click"),
        /** A {@code Click} with a value (a booking, revenue, dwell time): a value is required. */
        VALUE("value");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        /** The configuration prefix of this kind's mapping. */
        String prefix() {
            return "vitrine.mapping." + key;
        }
    }

    /** The mapping of one kind as declared (every key optional, checked by {@link FieldMapping#of}). */
    record Declared(Optional<String> topic, Optional<String> requestId, Optional<String> candidateId,
                    Optional<String> timestamp, TimeFormat timeFormat, Optional<String> kindPointer,
                    List<String> kindValues, Optional<String> value, Map<String, Double> valueMap,
                    OptionalDouble constantValue) {

        /** A kind that is not mapped. */
        static Declared none() {
            return new Declared(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    TimeFormat.EPOCH_MILLIS, Optional.empty(), List.of(), Optional.empty(), Map.of(),
                    OptionalDouble.empty());
        }
    }

    private final Kind kind;
    private final String topic;
    private final JsonPointer requestId;
    private final JsonPointer candidateId;
    private final JsonPointer timestamp;
    private final TimeFormat timeFormat;
    private final JsonPointer kindPointer;
    private final List<String> kindValues;
    private final JsonPointer value;
    private final Map<String, Double> valueMap;
    private final Double constantValue;

    private FieldMapping(Kind kind, Declared declared) {
        String prefix = kind.prefix();
        this.kind = kind;
        this.topic = declared.topic().orElseThrow();
        this.requestId = pointer(prefix + ".request-id", required(declared.requestId(), prefix + ".request-id"));
        this.candidateId = pointer(prefix + ".candidate-id",
                required(declared.candidateId(), prefix + ".candidate-id"));
        this.timestamp = pointer(prefix + ".timestamp", required(declared.timestamp(), prefix + ".timestamp"));
        this.timeFormat = declared.timeFormat();
        this.kindPointer = declared.kindPointer().map(p -> pointer(prefix + ".kind-pointer", p)).orElse(null);
        this.kindValues = List.copyOf(declared.kindValues());
        if ((kindPointer == null) != kindValues.isEmpty()) {
            throw new IllegalArgumentException(prefix + ".kind-pointer and " + prefix + ".kind-values go together:"
                    + " the pointer of the field that tells the kind of event, and the values that mean "
                    + kind.key);
        }
        this.value = declared.value().map(p -> pointer(prefix + ".value", p)).orElse(null);
        this.valueMap = new TreeMap<>(declared.valueMap());
        this.constantValue = declared.constantValue().isPresent() ? declared.constantValue().getAsDouble() : null;
        if (kind == Kind.IMPRESSION && (value != null || !valueMap.isEmpty() || constantValue != null)) {
            throw new IllegalArgumentException(prefix + ".value, .value-map and .constant-value: an impression"
                    + " carries no value (map values under vitrine.mapping.click or vitrine.mapping.value)");
        }
        if (value != null && constantValue != null) {
            throw new IllegalArgumentException(prefix + ".value and " + prefix + ".constant-value are both set:"
                    + " a value comes from the event or is constant, not both");
        }
        if (!valueMap.isEmpty() && value == null) {
            throw new IllegalArgumentException(prefix + ".value-map needs " + prefix + ".value, the pointer of the"
                    + " text it maps");
        }
        if (kind == Kind.VALUE && value == null && constantValue == null) {
            throw new IllegalArgumentException(prefix + ".value or " + prefix + ".constant-value is required: a"
                    + " reward value event without a value");
        }
        for (var entry : valueMap.entrySet()) {
            if (!Double.isFinite(entry.getValue())) {
                throw new IllegalArgumentException(prefix + ".value-map." + entry.getKey() + " must be finite");
            }
        }
        if (constantValue != null && !Double.isFinite(constantValue)) {
            throw new IllegalArgumentException(prefix + ".constant-value must be finite");
        }
    }

    /**
     * The mapping of {@code kind}, or empty when {@code declared} names no topic.
     *
     * @throws IllegalArgumentException naming the key, when a pointer is not one or the keys cannot go together
     */
    static Optional<FieldMapping> of(Kind kind, Declared declared) {
        if (declared.topic().isEmpty()) {
            List<String> stray = new ArrayList<>();
            declared.requestId().ifPresent(p -> stray.add(".request-id"));
            declared.candidateId().ifPresent(p -> stray.add(".candidate-id"));
            declared.timestamp().ifPresent(p -> stray.add(".timestamp"));
            declared.kindPointer().ifPresent(p -> stray.add(".kind-pointer"));
            declared.value().ifPresent(p -> stray.add(".value"));
            if (!declared.valueMap().isEmpty()) {
                stray.add(".value-map");
            }
            if (declared.constantValue().isPresent()) {
                stray.add(".constant-value");
            }
            if (!stray.isEmpty()) {
                throw new IllegalArgumentException(kind.prefix() + stray.get(0) + " is set but " + kind.prefix()
                        + ".topic is not: which topic carries these events?");
            }
            return Optional.empty();
        }
        if (declared.topic().get().isBlank()) {
            throw new IllegalArgumentException(kind.prefix() + ".topic is empty");
        }
        return Optional.of(new FieldMapping(kind, declared));
    }

    Kind kind() {
        return kind;
    }

    String topic() {
        return topic;
    }

    /** The pointer that tells the kind of a record, or null when every record of the topic is of this kind. */
    JsonPointer kindPointer() {
        return kindPointer;
    }

    List<String> kindValues() {
        return kindValues;
    }

    /** Whether {@code event} is of this kind: no kind pointer, or its text there is one of the kind values. */
    boolean selects(JsonNode event) {
        if (kindPointer == null) {
            return true;
        }
        JsonNode at = event.at(kindPointer);
        return at.isValueNode() && !at.isNull() && kindValues.contains(at.asText());
    }

    /**
     * The event as Vitrine's record: an {@link Impression} or a {@link Click}.
     *
     * @throws IllegalArgumentException naming this mapping, the pointer and what is wrong
     */
    AttributionEvent decode(JsonNode event) {
        String request = text(event, requestId, "request-id");
        String candidate = text(event, candidateId, "candidate-id");
        Instant time = time(event);
        if (kind == Kind.IMPRESSION) {
            return new AttributionEvent.Shown(Impression.newBuilder().setRequestId(request).setCandidateId(candidate)
                    .setTimestamp(time).build());
        }
        return new AttributionEvent.Clicked(Click.newBuilder().setRequestId(request).setCandidateId(candidate)
                .setTimestamp(time).setValue(value(event)).build());
    }

    /** An id: a non-empty string, or an integer (many sites number their pages and images). */
    private String text(JsonNode event, JsonPointer pointer, String field) {
        JsonNode at = present(event, pointer, field);
        if (at.isTextual() && !at.asText().isEmpty()) {
            return at.asText();
        }
        if (at.isIntegralNumber()) {
            return at.asText();
        }
        throw problem(pointer, field, "must be a non-empty string or an integer, found " + at);
    }

    private Instant time(JsonNode event) {
        JsonNode at = present(event, timestamp, "timestamp");
        try {
            return timeFormat.parse(at);
        } catch (IllegalArgumentException e) {
            throw problem(timestamp, "timestamp", e.getMessage() + " (time-format "
                    + timeFormat.name().toLowerCase().replace('_', '-') + ")");
        }
    }

    /** A click's value: constant, the number at the pointer, or the text there through the value map. */
    private Double value(JsonNode event) {
        if (constantValue != null) {
            return constantValue;
        }
        if (value == null) {
            return null;
        }
        JsonNode at = event.at(value);
        if (at.isMissingNode() || at.isNull()) {
            if (kind == Kind.CLICK) {
                return null; // a plain click
            }
            throw problem(value, "value", "is missing");
        }
        if (!valueMap.isEmpty()) {
            Double mapped = at.isValueNode() ? valueMap.get(at.asText()) : null;
            if (mapped == null) {
                throw problem(value, "value", "is " + at + ", not one of " + valueMap.keySet() + " ("
                        + kind.prefix() + ".value-map)");
            }
            return mapped;
        }
        if (at.isNumber() && Double.isFinite(at.doubleValue())) {
            return at.doubleValue();
        }
        throw problem(value, "value", "must be a finite number, found " + at);
    }

    private JsonNode present(JsonNode event, JsonPointer pointer, String field) {
        JsonNode at = event.at(pointer);
        if (at.isMissingNode() || at.isNull()) {
            throw problem(pointer, field, "is missing");
        }
        return at;
    }

    private IllegalArgumentException problem(JsonPointer pointer, String field, String what) {
        return new IllegalArgumentException(kind.prefix() + "." + field + ": " + pointer + " " + what);
    }

    private static String required(Optional<String> pointer, String key) {
        return pointer.orElseThrow(() -> new IllegalArgumentException(key + " is required: the JSON pointer of"
                + " that field in the site's events (e.g. /page/view_id)"));
    }

    /** A pointer to a field: RFC 6901 syntax and not the whole event. */
    private static JsonPointer pointer(String key, String expression) {
        JsonPointer pointer;
        try {
            pointer = JsonPointer.compile(expression);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": '" + expression + "' is not a JSON pointer (RFC 6901, e.g."
                    + " /page/view_id): " + e.getMessage());
        }
        if (pointer.matches()) {
            throw new IllegalArgumentException(key + ": '" + expression + "' points at the whole event, not a"
                    + " field");
        }
        return pointer;
    }
}
