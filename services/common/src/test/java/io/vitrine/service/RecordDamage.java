package io.vitrine.service;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Damaged bytes of a valid record for the services' topology fuzz tests, each steered by {@code n} (the same
 * {@code n}, the same bytes). The marker, fingerprint and length damages aim at Avro single-object encoding: the
 * marker {@code C3 01}, an 8-byte schema fingerprint, then the body.
 */
public final class RecordDamage {

    private RecordDamage() {
    }

    /** 1 to 200 random bytes. */
    public static byte[] randomBytes(int n) {
        byte[] bytes = new byte[1 + n % 200];
        new Random(n).nextBytes(bytes);
        return bytes;
    }

    /** The first {@code n % length} bytes. */
    public static byte[] truncated(byte[] valid, int n) {
        return Arrays.copyOf(valid, n % valid.length);
    }

    /** A bit of the two-byte marker flipped. */
    public static byte[] wrongMarker(byte[] valid, int n) {
        return flip(valid, n % 2, n);
    }

    /** A bit of the schema fingerprint flipped. */
    public static byte[] wrongFingerprint(byte[] valid, int n) {
        return flip(valid, 2 + n % 8, n);
    }

    /** A bit of the body flipped: the record may still decode, to other values. */
    public static byte[] flippedBit(byte[] valid, int n) {
        return flip(valid, 10 + n % (valid.length - 10), n);
    }

    /**
     * The body's first field, a short string (a request id, whose length prefix is one byte), with a length prefix
     * that is a zig-zag varint of about 2^31, 2^35 or -1 (a negative length).
     */
    public static byte[] hugeLength(byte[] valid, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(valid, 0, 10);
        out.writeBytes(List.of(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
                new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F},
                new byte[] {0x01}).get(n % 3));
        out.write(valid, 11, valid.length - 11);
        return out.toByteArray();
    }

    /** 1 to 16 random bytes after the record: the record may still decode. */
    public static byte[] trailingBytes(byte[] valid, int n) {
        byte[] tail = new byte[1 + n % 16];
        new Random(n).nextBytes(tail);
        byte[] bytes = Arrays.copyOf(valid, valid.length + tail.length);
        System.arraycopy(tail, 0, bytes, valid.length, tail.length);
        return bytes;
    }

    private static byte[] flip(byte[] valid, int at, int n) {
        byte[] bytes = valid.clone();
        bytes[at] ^= (byte) (1 << (n % 8));
        return bytes;
    }
}
