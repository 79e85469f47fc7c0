package io.switchboard.gateway.debug;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One debug session: frames of the connections it targets are logged until {@code until}.
 *
 * @param id       names the session in the log lines and in {@code DELETE /admin/debug/<id>}
 * @param target   what is debugged: a connection (its session id), a user or a room
 * @param value    the session id, user id or room
 * @param until    when logging stops
 * @param payloads true when payloads are logged as they are (else redacted to their size)
 */
public record DebugSession(String id, Target target, String value, Instant until, boolean payloads) {
    /** What a debug session selects. */
    public enum Target {
        SESSION, USER, ROOM;

        /** The name in the admin API and the logs: {@code session}, {@code user}, {@code room}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public DebugSession {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(until, "until");
    }

    /** True when a frame of connection {@code sessionId} of {@code userId} about {@code room} ("" if none) matches. */
    boolean matches(String sessionId, String userId, String room) {
        return switch (target) {
            case SESSION -> value.equals(sessionId);
            case USER -> value.equals(userId);
            case ROOM -> value.equals(room);
        };
    }
}
