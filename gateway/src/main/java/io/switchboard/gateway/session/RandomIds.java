package io.switchboard.gateway.session;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids that must be unique but are not secrets: the session id of each connection and the id the gateway gives a
 * publish that came without one ({@code "g-" + id}, the router's dedup key, which is per sending user, so no one
 * else can claim it). Not a direct message's: its dedup key is per target user, so any sender could claim a
 * predicted id first; {@code DirectMessageHandler} keeps {@code UUID.randomUUID()}.
 *
 * <p>A session id is an identifier, not a capability: the client sees it in Connected, other members of a room see
 * it in ephemeral events, backends see it as the sender, and the server API and presence address a connection by
 * it; no frame or request accepts one from a client as proof of anything (resume goes by room position, refresh by
 * a token; the SSE stream id, which is a capability, comes from {@code SecureRandom}). So it needs no CSPRNG, and
 * {@link UUID#randomUUID()}'s costs per connection (its {@code SecureRandom}: NativePRNG, a lock shared by every
 * thread, reads of {@code /dev/urandom}) buy nothing.
 *
 * <p>The ids keep {@code randomUUID()}'s shape (version 4, 122 random bits) from {@link ThreadLocalRandom}: no lock,
 * no system call. Not unpredictable, so never use one as a credential. Unique enough: every thread's generator walks
 * the same 2^64 cycle, so two ids collide about as often as two random 64-bit numbers, which for the ids alive at the
 * same time (a gateway's sessions, a room's dedup window) is negligible. Thread-safe.
 */
final class RandomIds {
    private static final long VERSION_MASK = 0xFFFFFFFFFFFF0FFFL;
    private static final long VERSION_4 = 0x0000000000004000L;
    private static final long VARIANT_MASK = 0x3FFFFFFFFFFFFFFFL;
    private static final long VARIANT_IETF = 0x8000000000000000L;

    private RandomIds() {
    }

    /** A random version-4 UUID string, as {@code UUID.randomUUID().toString()} gives. */
    static String uuid() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & VERSION_MASK) | VERSION_4;
        long low = (random.nextLong() & VARIANT_MASK) | VARIANT_IETF;
        return new UUID(high, low).toString();
    }
}
