package io.switchboard.loadgen;

/**
 * The layout of a publish's payload: bytes 0-7 the intended send time ({@link System#nanoTime()}, which on Linux
 * is CLOCK_MONOTONIC and so comparable between the generator's processes), bytes 8-15 the publisher's sequence
 * number, the rest zeros up to the configured size. Stateless.
 */
final class Payloads {
    static final int HEADER_BYTES = 16;

    private Payloads() {
    }

    static byte[] create(int size, long intendedNanos, long sequence) {
        byte[] payload = new byte[size];
        putLong(payload, 0, intendedNanos);
        putLong(payload, 8, sequence);
        return payload;
    }

    static long intended(byte[] payload) {
        return getLong(payload, 0);
    }

    static long sequence(byte[] payload) {
        return getLong(payload, 8);
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
