package io.vitrine.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;

/**
 * Reads Avro single-object encoding (marker {@code C3 01}, the writer schema's 64-bit fingerprint, little-endian,
 * then the binary datum) from a byte array, resolving the writer schema through a {@link SchemaStore}.
 *
 * <p>Written by hand instead of Avro's {@code BinaryMessageDecoder} for speed alone: that class reads the datum
 * through an unbuffered {@code DirectBinaryDecoder} over an input stream, one stream call per value, which made
 * decoding a d x d statistics record the learner's largest cost (a third of its CPU in a profile of the demo). Here
 * the datum is read by a {@code BinaryDecoder} straight from the array. The checks and exceptions are Avro's own
 * ({@link BadHeaderException}, {@link MissingSchemaException}), so callers see no difference.
 */
final class SingleObjectDecoder<T> {

    private static final int HEADER = 10;

    private final Schema readSchema;
    private final SpecificData model;
    private final SchemaStore writers;
    /** Resolving readers by writer fingerprint; a DatumReader may be shared by threads, each with its own decoder. */
    private final Map<Long, DatumReader<T>> readers = new ConcurrentHashMap<>();

    SingleObjectDecoder(SpecificData model, Schema readSchema, SchemaStore writers) {
        this.model = model;
        this.readSchema = readSchema;
        this.writers = writers;
        readers.put(SchemaNormalization.parsingFingerprint64(readSchema), reader(readSchema));
    }

    T decode(byte[] bytes) throws IOException {
        if (bytes.length < HEADER || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
            throw new BadHeaderException("not Avro single-object encoding: expected the marker C3 01 and an 8-byte"
                    + " schema fingerprint, got " + bytes.length + " bytes"
                    + (bytes.length >= 2 ? String.format(" starting %02X %02X", bytes[0], bytes[1]) : ""));
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        DatumReader<T> reader = readers.get(fingerprint);
        if (reader == null) {
            Schema writer = writers.findByFingerprint(fingerprint);
            if (writer == null) {
                throw new MissingSchemaException("cannot resolve schema for fingerprint: " + fingerprint);
            }
            reader = readers.computeIfAbsent(fingerprint, f -> reader(writer));
        }
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
        return reader.read(null, decoder);
    }

    @SuppressWarnings("unchecked")
    private DatumReader<T> reader(Schema writer) {
        return (DatumReader<T>) model.createDatumReader(writer, readSchema);
    }
}
