package io.switchboard.client;

/** Told on the client's event loop each time a chunk of a file being sent is acknowledged; must not block. */
@FunctionalInterface
public interface FileProgressListener {
    void onProgress(FileProgress progress);

    FileProgressListener NONE = progress -> { };
}
