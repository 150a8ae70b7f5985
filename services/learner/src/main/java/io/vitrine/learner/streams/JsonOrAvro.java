package io.vitrine.learner.streams;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.avro.Click;
import io.vitrine.avro.Impression;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.function.Function;

/**
 * Impressions and clicks as front ends and pipelines write them: each record is read as a JSON object when its value
 * starts with {@code &#123;} (after optional white space), and with the service's wire format otherwise
 * (single-object Avro, or Avro through the registry), so that both kinds of producer can share a topic with no
 * setting. JSON events carry the Avro record's fields by name: {@code requestId} and {@code candidateId} (strings)
 * and {@code timestamp}, epoch milliseconds or an ISO-8601 date-time with an offset, and a click's optional
 * {@code value} (a number, or null); other fields are ignored (a
 * site's events may carry more). Their JSON Schemas are {@code schemas/src/main/json/}. A record that is neither
 * fails with a message naming the field and what was found, and becomes a dead letter ({@code undecodable}).
 * Writing (the repartition topics) uses the wire format.
 */
final class JsonOrAvro {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private JsonOrAvro() {
    }

    static Serde<Impression> impressions(Serde<Impression> wire) {
        return of(wire, node -> Impression.newBuilder().setRequestId(text(node, "requestId"))
                .setCandidateId(text(node, "candidateId")).setTimestamp(time(node)).build());
    }

    static Serde<Click> clicks(Serde<Click> wire) {
        return of(wire, node -> Click.newBuilder().setRequestId(text(node, "requestId"))
                .setCandidateId(text(node, "candidateId")).setTimestamp(time(node)).setValue(value(node)).build());
    }

    private static <T> Serde<T> of(Serde<T> wire, Function<JsonNode, T> fromJson) {
        Deserializer<T> avro = wire.deserializer();
        Deserializer<T> either = (topic, data) -> {
            if (data == null || !startsLikeJson(data)) {
                return avro.deserialize(topic, data);
            }
            JsonNode node;
            try {
                node = JSON.readTree(data);
            } catch (JsonProcessingException e) {
                throw new SerializationException("not a JSON object: " + e.getOriginalMessage());
            } catch (IOException e) {
                throw new SerializationException("unreadable JSON: " + e.getMessage());
            }
            if (!node.isObject()) {
                throw new SerializationException("expected a JSON object, found " + node.getNodeType());
            }
            return fromJson.apply(node);
        };
        return Serdes.serdeFrom(wire.serializer(), either);
    }

    private static boolean startsLikeJson(byte[] data) {
        for (byte b : data) {
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                continue;
            }
            return b == '{';
        }
        return false;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new SerializationException("JSON event: field '" + field + "' is missing");
        }
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new SerializationException("JSON event: field '" + field + "' must be a non-empty string, found "
                    + value);
        }
        return value.asText();
    }

    /** A click's optional value; its bounds are the reward rule's to check (AttributionProcessor). */
    private static Double value(JsonNode node) {
        JsonNode value = node.get("value");
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new SerializationException("JSON event: field 'value' must be a number or null, found " + value);
        }
        return value.doubleValue();
    }

    private static Instant time(JsonNode node) {
        JsonNode value = node.get("timestamp");
        if (value == null || value.isNull()) {
            throw new SerializationException("JSON event: field 'timestamp' is missing (epoch milliseconds or an"
                    + " ISO-8601 date-time with an offset)");
        }
        if (value.isIntegralNumber() && value.canConvertToLong() && value.asLong() >= 0) {
            return Instant.ofEpochMilli(value.asLong());
        }
        if (value.isTextual()) {
            try {
                return OffsetDateTime.parse(value.asText()).toInstant();
            } catch (DateTimeParseException e) {
                throw new SerializationException("JSON event: field 'timestamp' is not an ISO-8601 date-time with an"
                        + " offset: '" + value.asText() + "'");
            }
        }
        throw new SerializationException("JSON event: field 'timestamp' must be epoch milliseconds (an integer >= 0)"
                + " or an ISO-8601 date-time string, found " + value);
    }
}
