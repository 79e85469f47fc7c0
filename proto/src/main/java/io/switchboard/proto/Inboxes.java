package io.switchboard.proto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Users' inboxes: the rooms that stored direct messages are written to, one per user, in the namespace
 * {@value #NAMESPACE}. Shared by the gateway (authorization, the name it tells the client) and the router (only
 * direct messages write there). Thread-safe and stateless.
 *
 * <p>A user id is any string of up to 256 characters, a room name far less: an id of 1 to {@value #MAX_PLAIN_ID}
 * characters of {@code [A-Za-z0-9._@-]} names the room {@code inbox:<id>} (readable in logs and tools); any other
 * id names {@code inbox:/<SHA-256 of its UTF-8, hex>}. The two forms never meet: a plain id has no {@code '/'}.
 */
public final class Inboxes {
    /** The namespace of every inbox room. */
    public static final String NAMESPACE = "inbox";
    /** Longest user id that is written into its inbox's name as it is. */
    static final int MAX_PLAIN_ID = Names.MAX_ROOM_LENGTH - NAMESPACE.length() - 1;

    private static final String PREFIX = NAMESPACE + ":";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._@-]{1," + MAX_PLAIN_ID + "}");

    private Inboxes() {
    }

    /** The inbox room of {@code userId} (non-empty). */
    public static String roomOf(String userId) {
        if (userId.isEmpty()) {
            throw new IllegalArgumentException("userId is empty");
        }
        if (PLAIN.matcher(userId).matches()) {
            return PREFIX + userId;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(userId.getBytes(StandardCharsets.UTF_8));
            return PREFIX + "/" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** True for a room of the {@value #NAMESPACE} namespace (someone's inbox, or a name no user has). */
    public static boolean isInbox(String room) {
        return room.startsWith(PREFIX);
    }

    /** True when {@code room} is {@code userId}'s own inbox. */
    public static boolean isInboxOf(String room, String userId) {
        return isInbox(room) && !userId.isEmpty() && room.equals(roomOf(userId));
    }
}
