package io.switchboard.client;

/**
 * Receives the files put together from a room's messages (docs/protocol.md section 16): by a subscription (every
 * {@link RoomListener} is one, the inbox's too) or by a {@link FileAssembler} the application runs over pages of
 * history. Called on the thread that hands the assembler its messages (a subscription's: the client's event thread);
 * must not block. Only {@link #onFile} is required.
 */
@FunctionalInterface
public interface FileListener {
    /** A file arrived whole, its SHA-256 checked. Its manifest and chunk messages are not the application's. */
    void onFile(ReceivedFile file);

    /** Another chunk of a file being received arrived. */
    default void onFileProgress(FileProgress progress) {
    }

    /** A file whose manifest arrived cannot be delivered whole: stalled, corrupt, too large, or chunks lost. */
    default void onFileIncomplete(IncompleteFile file) {
    }
}
