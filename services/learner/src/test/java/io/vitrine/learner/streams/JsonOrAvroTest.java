package io.vitrine.learner.streams;

import io.vitrine.avro.Click;
import io.vitrine.avro.Impression;
import io.vitrine.schemas.WireFormat;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonOrAvroTest {

    private final WireFormat wire = new WireFormat.SingleObject();
    private final org.apache.kafka.common.serialization.Deserializer<Impression> impressions =
            JsonOrAvro.impressions(wire.serde(Impression.class)).deserializer();
    private final org.apache.kafka.common.serialization.Deserializer<Click> clicks =
            JsonOrAvro.clicks(wire.serde(Click.class)).deserializer();

    @Test
    void readsAvroAndJsonAlike() {
        Impression avro = new Impression("r1", "a", Instant.ofEpochMilli(1_700_000_000_123L));
        byte[] bytes = wire.serde(Impression.class).serializer().serialize("t", avro);
        assertEquals(avro, impressions.deserialize("t", bytes));
        assertEquals(avro, impressions.deserialize("t", json(
                "{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":1700000000123}")));
        assertEquals(Instant.parse("2023-11-14T22:13:20.123Z"), impressions.deserialize("t", json(
                "{\"timestamp\":\"2023-11-14T23:13:20.123+01:00\",\"candidateId\":\"a\",\"requestId\":\"r1\"}"))
                .getTimestamp());
        Click click = clicks.deserialize("t", json(
                "{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":5,\"device\":{\"nested\":true}}"));
        assertEquals(new Click("r1", "a", Instant.ofEpochMilli(5), null), click);
    }

    @Test
    void aJsonClickMayCarryAValueOrNot() {
        assertEquals(new Click("r1", "a", Instant.ofEpochMilli(5), 120.5), clicks.deserialize("t", json(
                "{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":5,\"value\":120.5}")));
        assertEquals(new Click("r1", "a", Instant.ofEpochMilli(5), 3.0), clicks.deserialize("t", json(
                "{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":5,\"value\":3}")));
        assertEquals(new Click("r1", "a", Instant.ofEpochMilli(5), null), clicks.deserialize("t", json(
                "{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":5,\"value\":null}")));
        SerializationException text = assertThrows(SerializationException.class, () -> clicks.deserialize("t", json(
                "{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":5,\"value\":\"12\"}")));
        assertTrue(text.getMessage().contains("field 'value' must be a number or null, found \"12\""),
                text.getMessage());
        // JSON has no NaN: a value too large for a double is read as infinite, which the reward rule refuses.
        assertEquals(Double.POSITIVE_INFINITY, clicks.deserialize("t", json(
                "{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":5,\"value\":1e999}")).getValue());
    }

    @Test
    void anAvroClickOfEitherVersionIsRead() {
        Click withValue = new Click("r1", "a", Instant.ofEpochMilli(5), 80.0);
        assertEquals(withValue, clicks.deserialize("t", wire.serde(Click.class).serializer().serialize("t", withValue)));
    }

    @Test
    void namesWhatIsWrongWithAJsonEvent() {
        assertMessage("field 'candidateId' is missing", "{\"requestId\":\"r1\",\"timestamp\":5}");
        assertMessage("field 'requestId' must be a non-empty string, found 42",
                "{\"requestId\":42,\"candidateId\":\"a\",\"timestamp\":5}");
        assertMessage("field 'timestamp' is missing", "{\"requestId\":\"r1\",\"candidateId\":\"a\"}");
        assertMessage("'timestamp' is not an ISO-8601 date-time with an offset: '2023-11-14 10:00'",
                "{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":\"2023-11-14 10:00\"}");
        assertMessage("'timestamp' must be epoch milliseconds (an integer >= 0) or an ISO-8601 date-time string,"
                + " found -3", "{\"requestId\":\"r1\",\"candidateId\":\"a\",\"timestamp\":-3}");
        assertMessage("not a JSON object", "{\"requestId\":\"r1\",");
        assertMessage("Duplicate field 'requestId'",
                "{\"requestId\":\"r1\",\"requestId\":\"r2\",\"candidateId\":\"a\",\"timestamp\":5}");
    }

    private void assertMessage(String expected, String event) {
        SerializationException e = assertThrows(SerializationException.class,
                () -> impressions.deserialize("t", json(event)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
