package io.switchboard.client;

/**
 * A file whose manifest arrived but which cannot be delivered whole.
 *
 * @param room     the room (the inbox, for a file sent to this user)
 * @param sender   the user who sent it
 * @param manifest what was announced
 * @param chunks   chunks received, of {@code manifest.chunks()}
 * @param reason   why: {@link Reason}
 * @param message  a description for humans
 */
public record IncompleteFile(String room, String sender, FileManifest manifest, int chunks, Reason reason, String message) {
    /** Why a file was not delivered. */
    public enum Reason {
        /** No chunk arrived for the stall timeout: the sender stopped (it may still resume later). */
        STALLED,
        /** Every chunk arrived but their SHA-256 is not the manifest's. */
        CHECKSUM_MISMATCH,
        /** The manifest announces more than this client's {@code maxFileBytes}, or too many files were in progress. */
        TOO_LARGE,
        /** A resume could not recover every missed message (docs/protocol.md section 10): chunks may be lost. */
        RECOVERY_FAILED,
        /** The subscription ended, or the application closed its {@link FileAssembler}. */
        CLOSED
    }
}
