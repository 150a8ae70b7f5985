package io.vitrine.learner.streams;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The site's own topics the learner reads besides Vitrine's, each with the {@link FieldMapping}s of the kinds of event
 * it carries (one topic may carry impressions, clicks and reward values told apart by a field). A record becomes
 * one {@link Mapped.Accepted} event, is {@link Mapped.Ignored} when no kind selects it (counted, not a dead letter),
 * or fails to decode with a message naming the key and the pointer (a dead letter {@code undecodable} with its
 * source, through the dead-letter handler; the records around it go on).
 */
final class InputMappings {

    /** No site topic: the learner reads Vitrine's topics only. */
    static final InputMappings NONE = new InputMappings(Map.of());

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** What a record of a site's topic became. */
    sealed interface Mapped {
        /** An impression or click, keyed by its request id from here on. */
        record Accepted(String requestId, AttributionEvent event) implements Mapped {
            /** The event's own time, read by its {@code timestamp} pointer. */
            Instant time() {
                return event instanceof AttributionEvent.Shown shown ? shown.impression().getTimestamp()
                        : ((AttributionEvent.Clicked) event).click().getTimestamp();
            }
        }

        /** A record no mapping of its topic selects: another kind of the site's events. */
        record Ignored() implements Mapped {
        }
    }

    private final Map<String, List<FieldMapping>> byTopic;

    private InputMappings(Map<String, List<FieldMapping>> byTopic) {
        this.byTopic = byTopic;
    }

    /**
     * The mappings declared for each kind.
     *
     * @param ownTopics Vitrine's own topics, which a mapping may not read (they have their own formats)
     * @throws IllegalArgumentException naming the keys, when a mapping is wrong or the mappings cannot go together
     */
    static InputMappings of(Map<FieldMapping.Kind, FieldMapping.Declared> declared, Set<String> ownTopics) {
        Map<String, List<FieldMapping>> byTopic = new LinkedHashMap<>();
        for (FieldMapping.Kind kind : FieldMapping.Kind.values()) {
            FieldMapping.of(kind, declared.getOrDefault(kind, FieldMapping.Declared.none())).ifPresent(mapping -> {
                if (ownTopics.contains(mapping.topic())) {
                    throw new IllegalArgumentException(kind.prefix() + ".topic: '" + mapping.topic() + "' is one of"
                            + " Vitrine's own topics, read in Vitrine's formats; map a topic of the site's events");
                }
                byTopic.computeIfAbsent(mapping.topic(), t -> new ArrayList<>()).add(mapping);
            });
        }
        byTopic.forEach(InputMappings::checkShared);
        byTopic.replaceAll((topic, mappings) -> List.copyOf(mappings));
        return new InputMappings(Map.copyOf(byTopic));
    }

    /** Kinds sharing a topic must tell their records apart by one field, with values that do not overlap. */
    private static void checkShared(String topic, List<FieldMapping> mappings) {
        if (mappings.size() < 2) {
            return;
        }
        String keys = mappings.stream().map(m -> m.kind().prefix()).collect(Collectors.joining(" and "));
        FieldMapping first = mappings.get(0);
        Set<String> seen = new HashSet<>();
        for (FieldMapping mapping : mappings) {
            if (mapping.kindPointer() == null) {
                throw new IllegalArgumentException(mapping.kind().prefix() + ".kind-pointer is required: " + keys
                        + " read the same topic '" + topic + "', so each must say which of its records it takes");
            }
            if (!mapping.kindPointer().equals(first.kindPointer())) {
                throw new IllegalArgumentException(keys + " read the same topic '" + topic + "' but tell kinds apart"
                        + " by different fields (.kind-pointer " + first.kindPointer() + " and "
                        + mapping.kindPointer() + "): use one field");
            }
            for (String value : mapping.kindValues()) {
                if (!seen.add(value)) {
                    throw new IllegalArgumentException(keys + " read the same topic '" + topic + "' and both take"
                            + " records whose " + first.kindPointer() + " is '" + value + "' (.kind-values)");
                }
            }
        }
    }

    /** The site's topics to read, in a stable order. */
    List<String> topics() {
        return byTopic.keySet().stream().sorted().toList();
    }

    /** The decoder of one site topic's records. */
    Deserializer<Mapped> deserializer(String topic) {
        List<FieldMapping> mappings = byTopic.get(topic);
        if (mappings == null) {
            throw new IllegalArgumentException("no mapping reads " + topic);
        }
        return (ignoredTopic, data) -> decode(mappings, data);
    }

    private static Mapped decode(List<FieldMapping> mappings, byte[] data) {
        if (data == null) {
            throw new SerializationException("mapped event: the record has no value");
        }
        JsonNode event;
        try {
            event = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw new SerializationException("mapped event: not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new SerializationException("mapped event: unreadable JSON: " + e.getMessage());
        }
        if (event == null || !event.isObject()) {
            throw new SerializationException("mapped event: expected a JSON object, found "
                    + (event == null ? "nothing" : event.getNodeType()));
        }
        for (FieldMapping mapping : mappings) {
            if (mapping.selects(event)) {
                AttributionEvent decoded;
                try {
                    decoded = mapping.decode(event);
                } catch (IllegalArgumentException e) {
                    throw new SerializationException(e.getMessage());
                }
                String requestId = decoded instanceof AttributionEvent.Shown shown
                        ? shown.impression().getRequestId()
                        : ((AttributionEvent.Clicked) decoded).click().getRequestId();
                return new Mapped.Accepted(requestId, decoded);
            }
        }
        return new Mapped.Ignored();
    }
}
