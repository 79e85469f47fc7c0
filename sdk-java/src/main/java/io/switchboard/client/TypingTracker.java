package io.switchboard.client;

import io.switchboard.proto.client.v1.EphemeralEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is typing in one room: each sending connection's indicator lasts ttl_ms after its last event unless
 * renewed, and ends at once on stop, so an indicator stops by itself when its sender vanishes. Keyed by
 * connection (a user typing on two devices stays "typing" until both stop). Not thread-safe: event loop only.
 */
final class TypingTracker {
    static final String KIND = "typing";

    private record Typist(String user, Instant expiresAt) {
    }

    private final InstantSource clock;
    private final Map<String, Typist> bySession = new HashMap<>();

    TypingTracker(InstantSource clock) {
        this.clock = clock;
    }

    /** Applies a typing event; returns whether the set of typing users changed. */
    boolean apply(EphemeralEvent event) {
        Set<String> before = users();
        String key = event.getSender() + '\u0000' + event.getSessionId();
        if (event.getStop()) {
            bySession.remove(key);
        } else {
            bySession.put(key, new Typist(event.getSender(), clock.instant().plusMillis(event.getTtlMs())));
        }
        return !before.equals(users());
    }

    /** Drops indicators whose ttl elapsed; returns whether the set of typing users changed. */
    boolean expire() {
        Set<String> before = users();
        Instant now = clock.instant();
        bySession.values().removeIf(t -> !t.expiresAt().isAfter(now));
        return !before.equals(users());
    }

    /** How long until the next indicator expires, if any is active. */
    Optional<Duration> untilNextExpiry() {
        Instant now = clock.instant();
        return bySession.values().stream().map(Typist::expiresAt).min(Instant::compareTo)
                .map(at -> at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
    }

    /** The users typing now, sorted. */
    Set<String> users() {
        Set<String> users = new TreeSet<>();
        bySession.values().forEach(t -> users.add(t.user()));
        return users;
    }
}
