package io.switchboard.client;

import io.switchboard.proto.client.v1.Ack;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;

/**
 * One file being sent into a room or to a user (docs/protocol.md section 16): its manifest first, then, once the
 * manifest is stored, its chunks, pipelined up to {@code fileWindow} at a time and paced to {@code fileBytesPerSecond}
 * (one {@link FilePacer} for all transfers of the client). Each is an ordinary acknowledged publish (to a user: a
 * stored direct message into their inbox) with a deterministic id, so the client's publisher resends them across
 * reconnects, stored once. {@link #resume()} after a failure sends only what was not acknowledged.
 *
 * <p>Thread-safe: the state is touched on the client's event loop only; {@link #progress()} reads a snapshot.
 */
public final class FileTransfer {
    /** Publishes one message on the event loop; the future completes there. */
    interface Sink {
        CompletableFuture<Ack> publish(String id, byte[] payload, String contentType);
    }

    private final String userId;
    private final FileManifest manifest;
    private final byte[] data;
    private final FileSettings settings;
    private final Scheduler loop;
    private final FilePacer pacer;
    private final Sink sink;
    private final FileProgressListener listener;
    private final BitSet acked = new BitSet();
    private final BitSet onTheirWay = new BitSet();
    private boolean manifestStored;
    private boolean manifestOnItsWay;
    private int next;
    private int inFlight;
    private boolean wakeUpScheduled;
    private CompletableFuture<FileManifest> attempt = new CompletableFuture<>();
    private volatile FileProgress progress;
    /** The room; for a file to a user their inbox, learnt from the manifest's ack (the sender cannot name it). */
    private volatile String room;

    /** A transfer into {@code room}, or (room null) to {@code userId}. */
    FileTransfer(String room, String userId, FileManifest manifest, byte[] data, FileSettings settings, Scheduler loop,
                 FilePacer pacer, Sink sink, FileProgressListener listener) {
        this.room = room;
        this.userId = userId;
        this.manifest = manifest;
        this.data = data;
        this.settings = settings;
        this.loop = loop;
        this.pacer = pacer;
        this.sink = sink;
        this.listener = listener;
        this.progress = new FileProgress(room, null, manifest, 0, 0);
    }

    /**
     * The room the file goes into: the room of {@link SwitchboardClient#sendFile}; for
     * {@link SwitchboardClient#sendFileToUser} the user's inbox once the manifest is stored, null before.
     */
    public String room() {
        return room;
    }

    /** The user of {@link SwitchboardClient#sendFileToUser}; null for a file sent into a room. */
    public String userId() {
        return userId;
    }

    public FileManifest manifest() {
        return manifest;
    }

    /**
     * Completes when the manifest and every chunk are stored; fails with the first {@link SwitchboardException}
     * (a non-retriable refusal, TIMEOUT after the publish timeout, the client's close). After a failure,
     * {@link #resume()} starts a new attempt.
     */
    public CompletableFuture<FileManifest> done() {
        return attempt;
    }

    /** What the server has acknowledged so far. */
    public FileProgress progress() {
        return progress;
    }

    /**
     * Sends again what is not acknowledged yet (and not still on its way), with the same ids: after a failure of
     * {@link #done()}, e.g. a TIMEOUT while offline. Returns the new attempt's future; a transfer that is done or
     * still running returns the current one.
     */
    public CompletableFuture<FileManifest> resume() {
        CompletableFuture<FileManifest> result = new CompletableFuture<>();
        loop.execute(() -> {
            if (attempt.isCompletedExceptionally()) {
                attempt = new CompletableFuture<>();
                next = 0;
                pump();
            }
            attempt.whenComplete((m, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(m);
                }
            });
        });
        return result;
    }

    /** Starts the first attempt; event loop only. */
    void start() {
        pump();
    }

    private void pump() {
        if (attempt.isDone()) {
            return;
        }
        if (!manifestStored) {
            if (!manifestOnItsWay) {
                manifestOnItsWay = true;
                sink.publish(manifest.fileId(), manifest.toJson(), FileManifest.CONTENT_TYPE).whenComplete((ack, error) -> {
                    manifestOnItsWay = false;
                    if (error != null) {
                        fail(error);
                    } else {
                        manifestStored = true;
                        if (room == null) {
                            room = ack.getRoom();
                            progress = new FileProgress(room, null, manifest, progress.chunks(), progress.bytes());
                        }
                        finishIfDone();
                        pump();
                    }
                });
            }
            return; // chunks only behind a stored manifest: receivers then always know a chunk's file
        }
        while (inFlight < settings.window() && next < manifest.chunks()) {
            int index = next;
            if (acked.get(index) || onTheirWay.get(index)) {
                next++;
                continue;
            }
            int length = manifest.chunkLength(index);
            if (!takeAllowance(length)) {
                return;
            }
            next++;
            inFlight++;
            onTheirWay.set(index);
            long offset = (long) index * manifest.chunkSize();
            byte[] chunk = Arrays.copyOfRange(data, (int) offset, (int) offset + length);
            sink.publish(manifest.chunkId(index), chunk, FileManifest.CHUNK_CONTENT_TYPE).whenComplete((ack, error) -> {
                inFlight--;
                onTheirWay.clear(index);
                if (error != null) {
                    fail(error);
                    return;
                }
                acked.set(index);
                long bytes = progress.bytes() + length;
                progress = new FileProgress(room, null, manifest, acked.cardinality(), bytes);
                listener.onProgress(progress);
                finishIfDone();
                pump();
            });
        }
    }

    /** Whether the client's pacer lets {@code length} bytes go now; if not, a later pump is scheduled. */
    private boolean takeAllowance(int length) {
        Duration wait = pacer.take(length);
        if (wait.isZero()) {
            return true;
        }
        if (!wakeUpScheduled) {
            wakeUpScheduled = true;
            loop.schedule(() -> {
                wakeUpScheduled = false;
                pump();
            }, wait);
        }
        return false;
    }

    private void finishIfDone() {
        if (manifestStored && acked.cardinality() == manifest.chunks() && !attempt.isDone()) {
            if (manifest.chunks() == 0) {
                listener.onProgress(progress);
            }
            attempt.complete(manifest);
        }
    }

    private void fail(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        attempt.completeExceptionally(cause);
    }
}
