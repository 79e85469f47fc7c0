package io.switchboard.proto;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Syntax of room names and idempotency ids, shared by the gateway (early rejection) and the router
 * (authoritative validation). Thread-safe and stateless.
 *
 * <p>A room name is 1 to {@value #MAX_ROOM_LENGTH} characters of {@code [A-Za-z0-9._:@/-]} starting with a
 * letter or digit; the part before the first {@code ':'} is its namespace ({@code "chat:lobby"} is in
 * namespace {@code "chat"}). An id is 1 to {@value #MAX_ID_LENGTH} characters of {@code [A-Za-z0-9._:-]}.
 */
public final class Names {
    public static final int MAX_ROOM_LENGTH = 128;
    public static final int MAX_ID_LENGTH = 64;

    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0," + (MAX_ROOM_LENGTH - 1) + "}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_ID_LENGTH + "}");

    private Names() {
    }

    /** Returns why {@code room} is not a valid room name, or empty when it is. */
    public static Optional<String> roomProblem(String room) {
        if (room == null || room.isEmpty()) {
            return Optional.of("room is required");
        }
        if (room.length() > MAX_ROOM_LENGTH) {
            return Optional.of("room: " + room.length() + " characters (expected: <= " + MAX_ROOM_LENGTH + ")");
        }
        if (!ROOM.matcher(room).matches()) {
            return Optional.of("room: '" + printable(room) + "' (expected: [A-Za-z0-9][A-Za-z0-9._:@/-]*)");
        }
        return Optional.empty();
    }

    /** Returns why {@code id} is not a valid idempotency id, or empty when it is. */
    public static Optional<String> idProblem(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.of("id is required");
        }
        if (!ID.matcher(id).matches()) {
            return Optional.of("id: '" + printable(id) + "' (expected: 1-" + MAX_ID_LENGTH + " of [A-Za-z0-9._:-])");
        }
        return Optional.empty();
    }

    /** The namespace of a valid room name: the part before the first ':' or "" when there is none. */
    public static String namespace(String room) {
        int colon = room.indexOf(':');
        return colon < 0 ? "" : room.substring(0, colon);
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        StringBuilder b = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> b.append(c < 0x20 || c == 0x7f ? '?' : Character.toString(c)));
        return b.toString();
    }
}
