package io.switchboard.client;

/**
 * How far a file transfer got: for a sender, the chunks the server acknowledged (stored); for a receiver, the
 * chunks received.
 *
 * @param room   the room (for a file to a user, their inbox; in a sender's progress null until the manifest is stored)
 * @param sender the sending user (for a sender's own progress: null)
 * @param manifest the file
 * @param chunks chunks done so far, of {@code manifest.chunks()}
 * @param bytes  bytes done so far, of {@code manifest.size()}
 */
public record FileProgress(String room, String sender, FileManifest manifest, int chunks, long bytes) {
    /** Whether every chunk is done. */
    public boolean complete() {
        return chunks == manifest.chunks();
    }
}
