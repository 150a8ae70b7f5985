package io.vitrine.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.avro.Candidate;
import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Click;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdesTest {

    private final Serde<Decision> decisions = AvroSerdes.registryless(Decision.class);

    @Test
    void decisionRoundTripsThroughSingleObjectEncoding() {
        Decision decision = Decision.newBuilder()
                .setRequestId("r-1").setSlot("hotel-42/hero").setScope("hotel-42/hero@enc-1")
                .setTimestamp(Instant.ofEpochMilli(1_700_000_000_123L))
                .setContext(List.of(0.5f, -1f))
                .setCandidates(List.of(new Candidate("a", List.of(1f)), new Candidate("b", List.of(2f))))
                .setK(1)
                .setChosen(List.of(new ChosenCandidate("b", 0, 0.7, 0.5, 0.42, List.of(1f, 2f), null)))
                .setSeed(99L).setEncoderVersion("enc-1").setPosteriorVersion(3L).setPropensitySamples(256)
                .build();
        byte[] bytes = decisions.serializer().serialize("t", decision);
        // Single-object encoding: marker C3 01, then the writer schema's fingerprint.
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        assertEquals(decision, decisions.deserializer().deserialize("t", bytes));
    }

    @Test
    void nullIsATombstoneBothWays() {
        assertNull(decisions.serializer().serialize("t", null));
        assertNull(decisions.deserializer().deserialize("t", null));
    }

    @Test
    void garbageGivesASerializationExceptionNamingTheRecord() {
        var error = assertThrows(SerializationException.class,
                () -> decisions.deserializer().deserialize("vitrine.decisions", new byte[] {1, 2, 3, 4}));
        assertTrue(error.getMessage().contains("Decision"), error.getMessage());
        assertTrue(error.getMessage().contains("vitrine.decisions"), error.getMessage());
    }

    @Test
    void truncatedDatumGivesASerializationExceptionNotAPartialRecord() {
        Click click = new Click("r-3", "c-3", Instant.ofEpochMilli(1_700_000_000_000L), 2.5);
        Serde<Click> clicks = AvroSerdes.registryless(Click.class);
        byte[] bytes = clicks.serializer().serialize("t", click);
        assertEquals(click, clicks.deserializer().deserialize("t", bytes));
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 4);
        var error = assertThrows(SerializationException.class, () -> clicks.deserializer().deserialize("t", cut));
        assertTrue(error.getMessage().contains("Click"), error.getMessage());
    }

    @Test
    void bytesWithoutTheSingleObjectMarkerAreRefusedNamingTheMarker() {
        byte[] json = "{\"requestId\": \"r-1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var error = assertThrows(SerializationException.class,
                () -> AvroSerdes.registryless(Click.class).deserializer().deserialize("vitrine.clicks", json));
        assertTrue(error.getMessage().contains("C3 01"), error.getMessage());
    }

    @Test
    void readsWhatAvrosOwnMessageEncoderWritesForEveryRecordOfTheCurrentSchema() throws Exception {
        Decision decision = Decision.newBuilder()
                .setRequestId("r-7").setSlot("s").setScope("s@e").setTimestamp(Instant.ofEpochMilli(5))
                .setContext(List.of(0.25f)).setCandidates(List.of(new Candidate("a", List.of(1f))))
                .setK(1).setChosen(List.of(new ChosenCandidate("a", 0, 0.1, 0.2, 1.0, List.of(3f), null)))
                .setSeed(7L).setEncoderVersion("e").setPosteriorVersion(1L).setPropensitySamples(16).build();
        // The generated class's own encoder is Avro's BinaryMessageEncoder.
        ByteBuffer encoded = Decision.getEncoder().encode(decision);
        byte[] avros = new byte[encoded.remaining()];
        encoded.get(avros);
        assertEquals(decision, decisions.deserializer().deserialize("t", avros));
    }

    @Test
    void recordWrittenWithAnUnknownSchemaIsRejected() throws Exception {
        Schema other = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Click\",\"namespace\":\"io.vitrine.avro\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
        GenericRecord record = new GenericData.Record(other);
        record.put("x", 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), other).encode(record, out);
        Serde<Click> clicks = AvroSerdes.registryless(Click.class);
        assertThrows(SerializationException.class, () -> clicks.deserializer().deserialize("t", out.toByteArray()));
    }

    @Test
    void recordWrittenWithAnOlderReleasedVersionIsReadWithDefaults() throws Exception {
        // A writer that knows an older shape of Click (no fields beyond v1) registered in the history store
        // is resolved through the store: here v1 itself, written by a generic writer.
        Schema v1 = SchemaHistory.versions("Click").get(0);
        GenericRecord record = new GenericData.Record(v1);
        record.put("requestId", "r-9");
        record.put("candidateId", "c-1");
        record.put("timestamp", 1_700_000_000_000L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(record, out);
        Click click = AvroSerdes.registryless(Click.class).deserializer().deserialize("t", out.toByteArray());
        assertEquals("r-9", click.getRequestId());
        assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), click.getTimestamp());
    }

    @Test
    void clickOfTheFirstVersionIsReadByTheCurrentReaderAsAPlainClick() throws Exception {
        Schema v1 = SchemaHistory.versions("Click").get(0);
        GenericRecord record = new GenericData.Record(v1);
        record.put("requestId", "r-1");
        record.put("candidateId", "c-1");
        record.put("timestamp", 1_700_000_000_000L);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(record).array();
        Click click = AvroSerdes.registryless(Click.class).deserializer().deserialize("t", bytes);
        assertEquals(new Click("r-1", "c-1", Instant.ofEpochMilli(1_700_000_000_000L), null), click);
    }

    @Test
    void clickWithAValueIsReadByAFirstVersionReaderThatKnowsTheWriterSchemaAsAPlainClick() throws Exception {
        Schema v1 = SchemaHistory.versions("Click").get(0);
        Schema v2 = SchemaHistory.versions("Click").get(1);
        byte[] bytes = AvroSerdes.registryless(Click.class).serializer().serialize("t",
                new Click("r-2", "c-2", Instant.ofEpochMilli(1_700_000_000_500L), 120.0));
        // A reader generated from v1 that finds the writer's schema (as a registry serves it) resolves by name.
        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(v2);
        GenericRecord old = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1, store).decode(bytes);
        assertEquals("r-2", old.get("requestId").toString());
        assertEquals("c-2", old.get("candidateId").toString());
        assertEquals(1_700_000_000_500L, old.get("timestamp"));
        assertEquals(v1.getFields().size(), old.getSchema().getFields().size(), "read as v1: the value is skipped");
        // One that knows only v1, as a registry-less reader of the first release: refused by fingerprint, not
        // misread. Readers are upgraded before writers (docs/architecture.md).
        BinaryMessageDecoder<GenericRecord> firstRelease = new BinaryMessageDecoder<>(GenericData.get(), v1);
        var error = assertThrows(org.apache.avro.message.MissingSchemaException.class,
                () -> firstRelease.decode(bytes));
        assertTrue(error.getMessage().contains("Cannot resolve schema for fingerprint"), error.getMessage());
    }

    @Test
    void rewardOfTheSecondVersionIsReadWithoutAValue() throws Exception {
        Schema v2 = SchemaHistory.versions("Reward").get(1);
        GenericRecord reward = new GenericData.Record(v2);
        for (String text : List.of("requestId", "candidateId", "slot", "scope", "encoderVersion")) {
            reward.put(text, "x");
        }
        reward.put("reward", 1.0);
        reward.put("kind", new GenericData.EnumSymbol(v2.getField("kind").schema(), "CLICK"));
        reward.put("decisionTimestamp", 1L);
        reward.put("impressionTimestamp", 2L);
        reward.put("clickTimestamp", 3L);
        reward.put("propensity", 0.5);
        reward.put("embedding", List.of(1f));
        reward.put("context", List.of());
        reward.put("candidateFeatures", List.of());
        reward.put("k", 1);
        reward.put("candidates", List.of());
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(reward).array();
        Reward read = AvroSerdes.registryless(Reward.class).deserializer().deserialize("t", bytes);
        assertEquals(1.0, read.getReward());
        assertNull(read.getValue());
    }

    @Test
    void wireFormatIsRegistrylessUnlessARegistryUrlIsSet() {
        assertTrue(WireFormat.of(Optional.empty(), Map.of()) instanceof WireFormat.SingleObject);
        assertTrue(WireFormat.of(Optional.of(" "), Map.of()) instanceof WireFormat.SingleObject);
        WireFormat registry = WireFormat.of(Optional.of("http://localhost:8080/apis/registry/v3"), Map.of());
        assertTrue(registry instanceof WireFormat.Registry);
        Serde<Click> serde = registry.serde(Topic.CLICKS);
        assertTrue(serde.getClass().getName().startsWith("io.apicurio"), serde.getClass().getName());
    }

    @Test
    void topicRegistryKeepsRequestKeyedTopicsCoPartitioned() {
        int partitions = Topic.DECISIONS.partitions();
        for (Topic t : List.of(Topic.DECISION_REQUESTS, Topic.IMPRESSIONS, Topic.CLICKS)) {
            assertEquals(partitions, t.partitions(), t + " defaults to the decisions' partition count: events "
                    + "from Java producers then join where they are read, with no repartition");
        }
        assertTrue(Topic.POSTERIORS.compacted());
        assertEquals("vitrine.posteriors", Topic.POSTERIORS.name(Topic.DEFAULT_PREFIX));
        assertArrayEquals(new String[0], new String[0]);
    }
}
