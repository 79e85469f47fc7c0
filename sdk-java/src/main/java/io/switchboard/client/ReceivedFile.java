package io.switchboard.client;

/**
 * A file received whole in a room (or this user's inbox), its SHA-256 checked against its manifest.
 *
 * @param room     the room (the inbox, for a file sent to this user)
 * @param sender   the user who sent it
 * @param manifest name, content type, size, checksum
 * @param data     the file's bytes (the receiver's own copy)
 * @param position the position of its manifest message in the room (where the file sits in the room's history)
 */
public record ReceivedFile(String room, String sender, FileManifest manifest, byte[] data, long position) {
}
