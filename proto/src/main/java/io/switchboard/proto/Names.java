package io.switchboard.proto;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Syntax of room names, idempotency ids and conflation keys, shared by the gateway (early rejection) and the router
 * (authoritative validation). Thread-safe and stateless.
 *
 * <p>A room name is 1 to {@value #MAX_ROOM_LENGTH} characters of {@code [A-Za-z0-9._:@/-]} starting with a
 * letter or digit; the part before the first {@code ':'} is its namespace ({@code "chat:lobby"} is in
 * namespace {@code "chat"}). An id is 1 to {@value #MAX_ID_LENGTH} characters of {@code [A-Za-z0-9._:-]}; a
 * conflation key, when given, 1 to {@value #MAX_CONFLATION_KEY_LENGTH} of {@code [A-Za-z0-9._:/-]}.
 *
 * <p>The namespace {@value #RESERVED_NAMESPACE} is the platform's own (the gateways' delivery probes): valid for a
 * router, refused to clients and to the public API ({@link #clientRoomProblem}).
 */
public final class Names {
    public static final int MAX_ROOM_LENGTH = 128;
    public static final int MAX_ID_LENGTH = 64;
    public static final int MAX_CONFLATION_KEY_LENGTH = 64;
    /** Longest user id a message may name (a JWT subject: the protocol fixes no syntax beyond its length). */
    public static final int MAX_USER_ID_LENGTH = 256;
    /** Rooms {@code switchboard:*} belong to the platform: no client or API caller may use them. */
    public static final String RESERVED_NAMESPACE = "switchboard";

    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]{0," + (MAX_ROOM_LENGTH - 1) + "}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_ID_LENGTH + "}");
    private static final Pattern CONFLATION_KEY =
            Pattern.compile("[A-Za-z0-9._:/-]{1," + MAX_CONFLATION_KEY_LENGTH + "}");

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

    /**
     * Returns why a client or an API caller may not use {@code room}: {@link #roomProblem}, or the room is in the
     * {@value #RESERVED_NAMESPACE} namespace; empty when it may.
     */
    public static Optional<String> clientRoomProblem(String room) {
        Optional<String> problem = roomProblem(room);
        if (problem.isEmpty() && isReserved(room)) {
            return Optional.of("room: '" + printable(room) + "' is in the reserved namespace '" + RESERVED_NAMESPACE
                    + "'");
        }
        return problem;
    }

    /** True for a room of the {@value #RESERVED_NAMESPACE} namespace. */
    public static boolean isReserved(String room) {
        return room.startsWith(RESERVED_NAMESPACE) && room.length() > RESERVED_NAMESPACE.length()
                && room.charAt(RESERVED_NAMESPACE.length()) == ':';
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

    /**
     * Returns why {@code userId} is not a user id a direct message may name (1 to {@value #MAX_USER_ID_LENGTH}
     * characters of anything), or empty when it is; {@code field} names it in the message.
     */
    public static Optional<String> userIdProblem(String field, String userId) {
        if (userId.isEmpty() || userId.length() > MAX_USER_ID_LENGTH) {
            return Optional.of(field + ": " + userId.length() + " characters (expected: 1-" + MAX_USER_ID_LENGTH + ")");
        }
        return Optional.empty();
    }

    /**
     * Returns why {@code key} is not a valid conflation key, or empty when it is. Empty means "no key" and is
     * valid; otherwise 1 to {@value #MAX_CONFLATION_KEY_LENGTH} characters of {@code [A-Za-z0-9._:/-]}.
     */
    public static Optional<String> conflationKeyProblem(String key) {
        if (key == null || key.isEmpty() || CONFLATION_KEY.matcher(key).matches()) {
            return Optional.empty();
        }
        return Optional.of("conflation_key: '" + printable(key) + "' (expected: 1-" + MAX_CONFLATION_KEY_LENGTH
                + " of [A-Za-z0-9._:/-])");
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
