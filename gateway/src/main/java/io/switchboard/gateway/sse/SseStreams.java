package io.switchboard.gateway.sse;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's open event streams by id, and the ids themselves: 128 random bits from {@link SecureRandom}, URL-safe
 * base64 (22 characters), unrelated to the session id (which other members of a room see in ephemeral events).
 * Thread-safe.
 */
final class SseStreams {
    private static final int ID_BYTES = 16;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, SseStream> open = new ConcurrentHashMap<>();

    /** A fresh stream id. */
    String newId() {
        byte[] bytes = new byte[ID_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    void add(SseStream stream) {
        open.put(stream.id(), stream);
    }

    void remove(SseStream stream) {
        open.remove(stream.id(), stream);
    }

    Optional<SseStream> find(String id) {
        return Optional.ofNullable(open.get(id));
    }

    /** Streams open now. */
    int size() {
        return open.size();
    }
}
