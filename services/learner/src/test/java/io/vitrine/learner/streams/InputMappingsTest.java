package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vitrine.avro.Click;
import io.vitrine.avro.Impression;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The declared field mapping: pointers, time formats, kinds told apart on one topic, and its errors. */
class InputMappingsTest {

    private static final String TOPIC = "site.events";

    /** A site's event: nested objects, other names, the kind in a field, ISO-8601 times. */
    private static final String VIEW = """
            {"event": "img_view", "at": "2026-12-07T06:10:00.250+01:00",
             "page": {"view_id": "pv-1", "url": "/hotels/12"}, "image": {"id": 4711, "slot": "hero"}}""";

    @Test
    void readsNestedFieldsOfOneTopicAsImpressionsAndClicksAndSkipsOtherKinds() {
        InputMappings mappings = siteMappings();
        assertEquals(List.of(TOPIC), mappings.topics());

        InputMappings.Mapped view = decode(mappings, VIEW);
        assertEquals(new InputMappings.Mapped.Accepted("pv-1", new AttributionEvent.Shown(new Impression("pv-1",
                "4711", Instant.parse("2026-12-07T05:10:00.250Z")))), view);

        InputMappings.Mapped click = decode(mappings, VIEW.replace("img_view", "img_click"));
        assertEquals(new AttributionEvent.Clicked(new Click("pv-1", "4711", Instant.parse("2026-12-07T05:10:00.250Z"),
                null)), ((InputMappings.Mapped.Accepted) click).event());

        assertInstanceOf(InputMappings.Mapped.Ignored.class, decode(mappings, VIEW.replace("img_view", "scroll")));
        assertInstanceOf(InputMappings.Mapped.Ignored.class, decode(mappings, "{\"page\": {\"view_id\": \"pv-1\"}}"),
                "an event without the kind field is another kind");
    }

    @Test
    void aRecordThatDoesNotFitFailsNamingTheKeyAndThePointer() {
        InputMappings mappings = siteMappings();
        assertEquals("vitrine.mapping.impression.request-id: /page/view_id is missing",
                error(mappings, VIEW.replace("\"view_id\": \"pv-1\", ", "")));
        assertEquals("vitrine.mapping.click.candidate-id: /image/id must be a non-empty string or an integer, found"
                        + " {\"n\":1}",
                error(mappings, VIEW.replace("img_view", "img_click").replace("4711", "{\"n\": 1}")));
        assertEquals("vitrine.mapping.impression.timestamp: /at is not an ISO-8601 date-time with an offset (e.g."
                        + " 2026-12-07T05:10:00.250Z): \"2026-12-07 06:10\" (time-format iso-8601)",
                error(mappings, VIEW.replace("2026-12-07T06:10:00.250+01:00", "2026-12-07 06:10")));
        assertEquals("mapped event: expected a JSON object, found ARRAY", error(mappings, "[1, 2]"));
        assertEquals("mapped event: the record has no value",
                assertThrows(SerializationException.class,
                        () -> mappings.deserializer(TOPIC).deserialize(TOPIC, null)).getMessage());
        assertThrows(SerializationException.class, () -> decode(mappings, "{\"event\": "), "truncated JSON");
    }

    @Test
    void timeFormats() {
        assertEquals(Instant.ofEpochMilli(1_765_084_200_250L), time(TimeFormat.EPOCH_MILLIS, "1765084200250"));
        assertEquals(Instant.ofEpochMilli(1_765_084_200_250L), time(TimeFormat.EPOCH_MILLIS, "\"1765084200250\""));
        assertEquals(Instant.ofEpochMilli(1_765_084_200_250L), time(TimeFormat.EPOCH_SECONDS, "1765084200.25"));
        assertEquals(Instant.ofEpochSecond(1_765_084_200L), time(TimeFormat.EPOCH_SECONDS, "\"1765084200\""));
        assertEquals(Instant.parse("2026-12-07T05:10:00Z"), time(TimeFormat.ISO_8601, "\"2026-12-07T05:10:00Z\""));
        for (String wrong : List.of("1765084200250.5", "-1", "\"soon\"", "true", "1e30")) {
            assertThrows(SerializationException.class, () -> time(TimeFormat.EPOCH_MILLIS, wrong), wrong);
        }
        assertThrows(SerializationException.class, () -> time(TimeFormat.EPOCH_SECONDS, "1e30"));
        assertThrows(SerializationException.class, () -> time(TimeFormat.ISO_8601, "1765084200250"),
                "epoch millis are not ISO-8601");
        assertThrows(SerializationException.class, () -> time(TimeFormat.ISO_8601, "\"2026-12-07T05:10:00\""),
                "a local time without its offset is ambiguous");
    }

    @Test
    void valuesComeFromANumberAValueMapOrAConstant() {
        Map<FieldMapping.Kind, FieldMapping.Declared> declared = new EnumMap<>(FieldMapping.Kind.class);
        declared.put(FieldMapping.Kind.VALUE, declared("orders", "/view", "/image", "/ts", TimeFormat.EPOCH_MILLIS,
                null, List.of(), "/total", Map.of(), null));
        String order = "{\"view\": \"pv-1\", \"image\": \"a\", \"ts\": 5, \"total\": 240.5}";
        assertEquals(240.5, value(InputMappings.of(declared, Set.of()), "orders", order));
        assertEquals("vitrine.mapping.value.value: /total is missing",
                assertThrows(SerializationException.class, () -> value(InputMappings.of(declared, Set.of()),
                        "orders", order.replace(", \"total\": 240.5", ""))).getMessage());

        declared.put(FieldMapping.Kind.VALUE, declared("orders", "/view", "/image", "/ts", TimeFormat.EPOCH_MILLIS,
                null, List.of(), "/kind", Map.of("booking", 1.0, "cart", 0.2), null));
        assertEquals(0.2, value(InputMappings.of(declared, Set.of()), "orders",
                order.replace("}", ", \"kind\": \"cart\"}")));
        assertEquals("vitrine.mapping.value.value: /kind is \"gift\", not one of [booking, cart]"
                        + " (vitrine.mapping.value.value-map)",
                assertThrows(SerializationException.class, () -> value(InputMappings.of(declared, Set.of()), "orders",
                        order.replace("}", ", \"kind\": \"gift\"}"))).getMessage());

        declared.put(FieldMapping.Kind.VALUE, declared("orders", "/view", "/image", "/ts", TimeFormat.EPOCH_MILLIS,
                null, List.of(), null, Map.of(), 3.0));
        assertEquals(3.0, value(InputMappings.of(declared, Set.of()), "orders", order));

        declared.remove(FieldMapping.Kind.VALUE);
        declared.put(FieldMapping.Kind.CLICK, declared("clicks", "/view", "/image", "/ts", TimeFormat.EPOCH_MILLIS,
                null, List.of(), "/dwell", Map.of(), null));
        assertEquals(null, value(InputMappings.of(declared, Set.of()), "clicks", order), "a plain click");
    }

    @Test
    void aBadPointerOrAnImpossibleMappingStopsTheServiceNamingTheKey() {
        assertEquals("vitrine.mapping.impression.request-id: 'page/view_id' is not a JSON pointer (RFC 6901, e.g."
                        + " /page/view_id): Invalid input: JSON Pointer expression must start with '/': "
                        + "\"page/view_id\"",
                startError(Map.of(FieldMapping.Kind.IMPRESSION, declared(TOPIC, "page/view_id", "/image/id", "/at",
                        TimeFormat.ISO_8601, null, List.of(), null, Map.of(), null))));
        assertEquals("vitrine.mapping.click.timestamp: '' points at the whole event, not a field",
                startError(Map.of(FieldMapping.Kind.CLICK, declared(TOPIC, "/a", "/b", "", TimeFormat.ISO_8601, null,
                        List.of(), null, Map.of(), null))));
        assertEquals("vitrine.mapping.click.candidate-id is required: the JSON pointer of that field in the site's"
                        + " events (e.g. /page/view_id)",
                startError(Map.of(FieldMapping.Kind.CLICK, declared(TOPIC, "/a", null, "/t", TimeFormat.ISO_8601,
                        null, List.of(), null, Map.of(), null))));
        assertEquals("vitrine.mapping.value.request-id is set but vitrine.mapping.value.topic is not: which topic"
                        + " carries these events?",
                startError(Map.of(FieldMapping.Kind.VALUE, declared(null, "/a", null, null, TimeFormat.ISO_8601,
                        null, List.of(), null, Map.of(), null))));
        assertEquals("vitrine.mapping.value.value or vitrine.mapping.value.constant-value is required: a reward"
                        + " value event without a value",
                startError(Map.of(FieldMapping.Kind.VALUE, declared(TOPIC, "/a", "/b", "/t", TimeFormat.ISO_8601,
                        null, List.of(), null, Map.of(), null))));
        assertEquals("vitrine.mapping.impression.value, .value-map and .constant-value: an impression carries no"
                        + " value (map values under vitrine.mapping.click or vitrine.mapping.value)",
                startError(Map.of(FieldMapping.Kind.IMPRESSION, declared(TOPIC, "/a", "/b", "/t",
                        TimeFormat.ISO_8601, null, List.of(), null, Map.of(), 1.0))));
        assertEquals("vitrine.mapping.click.kind-pointer and vitrine.mapping.click.kind-values go together: the"
                        + " pointer of the field that tells the kind of event, and the values that mean click",
                startError(Map.of(FieldMapping.Kind.CLICK, declared(TOPIC, "/a", "/b", "/t", TimeFormat.ISO_8601,
                        "/event", List.of(), null, Map.of(), null))));

        Map<FieldMapping.Kind, FieldMapping.Declared> shared = new HashMap<>(site());
        shared.put(FieldMapping.Kind.CLICK, declared(TOPIC, "/a", "/b", "/t", TimeFormat.ISO_8601, null, List.of(),
                null, Map.of(), null));
        assertEquals("vitrine.mapping.click.kind-pointer is required: vitrine.mapping.impression and"
                + " vitrine.mapping.click read the same topic 'site.events', so each must say which of its records it"
                + " takes", startError(shared));
        shared.put(FieldMapping.Kind.CLICK, declared(TOPIC, "/a", "/b", "/t", TimeFormat.ISO_8601, "/type",
                List.of("click"), null, Map.of(), null));
        assertEquals("vitrine.mapping.impression and vitrine.mapping.click read the same topic 'site.events' but tell"
                + " kinds apart by different fields (.kind-pointer /event and /type): use one field",
                startError(shared));
        shared.put(FieldMapping.Kind.CLICK, declared(TOPIC, "/a", "/b", "/t", TimeFormat.ISO_8601, "/event",
                List.of("img_click", "img_view"), null, Map.of(), null));
        assertEquals("vitrine.mapping.impression and vitrine.mapping.click read the same topic 'site.events' and both"
                + " take records whose /event is 'img_view' (.kind-values)", startError(shared));

        assertEquals("vitrine.mapping.impression.topic: 'site.events' is one of Vitrine's own topics, read in"
                        + " Vitrine's formats; map a topic of the site's events",
                assertThrows(IllegalArgumentException.class, () -> InputMappings.of(site(), Set.of(TOPIC)))
                        .getMessage());
    }

    // --- helpers

    private static InputMappings siteMappings() {
        return InputMappings.of(site(), Set.of("vitrine.impressions"));
    }

    private static Map<FieldMapping.Kind, FieldMapping.Declared> site() {
        return Map.of(
                FieldMapping.Kind.IMPRESSION, declared(TOPIC, "/page/view_id", "/image/id", "/at",
                        TimeFormat.ISO_8601, "/event", List.of("img_view"), null, Map.of(), null),
                FieldMapping.Kind.CLICK, declared(TOPIC, "/page/view_id", "/image/id", "/at", TimeFormat.ISO_8601,
                        "/event", List.of("img_click"), null, Map.of(), null));
    }

    private static FieldMapping.Declared declared(String topic, String requestId, String candidateId, String timestamp,
                                                  TimeFormat format, String kindPointer, List<String> kindValues,
                                                  String value, Map<String, Double> valueMap, Double constant) {
        return new FieldMapping.Declared(Optional.ofNullable(topic), Optional.ofNullable(requestId),
                Optional.ofNullable(candidateId), Optional.ofNullable(timestamp), format,
                Optional.ofNullable(kindPointer), kindValues, Optional.ofNullable(value), valueMap,
                constant == null ? OptionalDouble.empty() : OptionalDouble.of(constant));
    }

    private static String startError(Map<FieldMapping.Kind, FieldMapping.Declared> declared) {
        return assertThrows(IllegalArgumentException.class, () -> InputMappings.of(declared, Set.of())).getMessage();
    }

    private static InputMappings.Mapped decode(InputMappings mappings, String json) {
        return mappings.deserializer(TOPIC).deserialize(TOPIC, json.getBytes(StandardCharsets.UTF_8));
    }

    private static String error(InputMappings mappings, String json) {
        return assertThrows(SerializationException.class, () -> decode(mappings, json)).getMessage();
    }

    private static Instant time(TimeFormat format, String json) {
        InputMappings mappings = InputMappings.of(Map.of(FieldMapping.Kind.IMPRESSION, declared("t", "/r", "/c", "/t",
                format, null, List.of(), null, Map.of(), null)), Set.of());
        var accepted = (InputMappings.Mapped.Accepted) mappings.deserializer("t").deserialize("t",
                ("{\"r\": \"r1\", \"c\": \"a\", \"t\": " + json + "}").getBytes(StandardCharsets.UTF_8));
        return ((AttributionEvent.Shown) accepted.event()).impression().getTimestamp();
    }

    private static Double value(InputMappings mappings, String topic, String json) {
        var accepted = (InputMappings.Mapped.Accepted) mappings.deserializer(topic).deserialize(topic,
                json.getBytes(StandardCharsets.UTF_8));
        return ((AttributionEvent.Clicked) accepted.event()).click().getValue();
    }
}
