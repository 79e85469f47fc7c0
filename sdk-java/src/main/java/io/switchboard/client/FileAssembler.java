package io.switchboard.client;

import io.switchboard.proto.client.v1.Message;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts files together from a room's messages (docs/protocol.md section 16): a manifest opens a file keyed by (room,
 * sender, file id), its chunks fill it by the index in their id, in any order, and once all are in and the SHA-256
 * matches, the {@link FileListener} gets {@link FileListener#onFile}; on the way {@link FileListener#onFileProgress},
 * and {@link FileListener#onFileIncomplete} if it cannot finish. Messages must come once each, in position order (as
 * a subscription delivers them, and as history pages hold them).
 *
 * <p>The client runs one in front of every subscription's {@link RoomListener}, the inbox's too. An application runs
 * its own ({@link SwitchboardClient#fileAssembler}) over pages of history, which the client does not assemble:
 * <pre>{@code
 * try (FileAssembler files = client.fileAssembler(file -> show(file))) {
 *     for (Message message : client.history(room, HistoryDirection.LATEST, 0, 100).join().getMessagesList()) {
 *         if (!files.accept(message)) {
 *             showMessage(message); // not part of a file
 *         }
 *     }
 * } // files still open (their chunks are on later pages, or expired) are reported incomplete, CLOSED
 * }</pre>
 * Feed several pages oldest first (a file's manifest precedes its chunks): forward with {@code AFTER}, or collect
 * {@code BEFORE} pages and run them in reverse. Chunks whose manifest it has not seen (on an earlier page, or
 * expired) are taken and dropped. It holds at most {@code maxFilesInProgress} files per room (the oldest is given
 * up) of at most {@code maxFileBytes} each.
 *
 * <p>Not thread-safe: one thread at a time; its listener runs on the thread that calls {@link #accept}.
 */
public final class FileAssembler implements AutoCloseable {
    private final FileListener listener;
    private final FileSettings settings;
    private final InstantSource clock;
    /** Reports files with no chunk for the stall timeout (subscriptions); null: no stall checks (history). */
    private final Scheduler stallChecks;
    /** Files in progress by room, sender and file id, oldest first. */
    private final Map<Key, Assembly> assemblies = new LinkedHashMap<>();

    private record Key(String room, String sender, String fileId) {
    }

    private static final class Assembly {
        final Key key;
        final FileManifest manifest;
        final long position;
        final byte[] data;
        final BitSet received = new BitSet();
        long bytes;
        Instant lastChunk;
        Scheduler.Cancellable stallCheck;

        Assembly(Key key, FileManifest manifest, long position, Instant now) {
            this.key = key;
            this.manifest = manifest;
            this.position = position;
            this.data = new byte[(int) manifest.size()];
            this.lastChunk = now;
        }
    }

    /** An assembler whose files stall after {@code settings.stallTimeout()} of no chunk if {@code stallChecks} is set. */
    FileAssembler(FileListener listener, FileSettings settings, Scheduler stallChecks, InstantSource clock) {
        this.listener = listener;
        this.settings = settings;
        this.stallChecks = stallChecks;
        this.clock = clock;
    }

    /**
     * Takes {@code message} if it belongs to a file (a manifest or a chunk: true), or leaves it to the caller (false:
     * any other message, or a manifest that does not parse, which the application may know).
     */
    public boolean accept(Message message) {
        switch (message.getContentType()) {
            case FileManifest.CONTENT_TYPE -> {
                FileManifest manifest;
                try {
                    manifest = FileManifest.parse(message.getPayload().toByteArray());
                } catch (IllegalArgumentException | ArithmeticException e) {
                    return false;
                }
                onManifest(message, manifest);
                return true;
            }
            case FileManifest.CHUNK_CONTENT_TYPE -> {
                onChunk(message);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Gives up every file still in progress ({@link IncompleteFile.Reason#CLOSED}) and frees its memory. */
    @Override
    public void close() {
        giveUpAll(IncompleteFile.Reason.CLOSED, "the assembler was closed");
    }

    /** Gives up every file in progress, reporting {@code reason}. */
    void giveUpAll(IncompleteFile.Reason reason, String why) {
        for (Assembly assembly : assemblies.values().toArray(Assembly[]::new)) {
            giveUp(assembly, reason, why);
        }
    }

    private void onManifest(Message message, FileManifest manifest) {
        String room = message.getRoom();
        if (manifest.size() > settings.maxFileBytes()) {
            listener.onFileIncomplete(new IncompleteFile(room, message.getSender(), manifest, 0, IncompleteFile.Reason.TOO_LARGE,
                    "size: " + manifest.size() + " (expected: <= maxFileBytes " + settings.maxFileBytes() + ")"));
            return;
        }
        Assembly[] inRoom = assemblies.values().stream().filter(a -> a.key.room().equals(room)).toArray(Assembly[]::new);
        if (inRoom.length >= settings.maxFilesInProgress()) {
            giveUp(inRoom[0], IncompleteFile.Reason.TOO_LARGE, "more than maxFilesInProgress " + settings.maxFilesInProgress()
                    + " files in progress in " + room + "; the oldest is dropped");
        }
        Key key = new Key(room, message.getSender(), manifest.fileId());
        Assembly assembly = new Assembly(key, manifest, message.getPosition(), clock.instant());
        Assembly previous = assemblies.remove(key);
        if (previous != null && previous.stallCheck != null) {
            previous.stallCheck.cancel();
        }
        assemblies.put(key, assembly);
        if (manifest.chunks() == 0) {
            complete(assembly);
        } else {
            scheduleStallCheck(assembly, settings.stallTimeout());
        }
    }

    private void onChunk(Message message) {
        String fileId = FileManifest.fileIdOfChunk(message.getId());
        Assembly assembly = fileId == null ? null : assemblies.get(new Key(message.getRoom(), message.getSender(), fileId));
        if (assembly == null) {
            return; // its manifest came before (or was refused): nothing to add it to
        }
        int index = assembly.manifest.chunkIndex(message.getId());
        int length = message.getPayload().size();
        if (index < 0 || length != assembly.manifest.chunkLength(index) || assembly.received.get(index)) {
            return;
        }
        message.getPayload().copyTo(assembly.data, (int) ((long) index * assembly.manifest.chunkSize()));
        assembly.received.set(index);
        assembly.bytes += length;
        assembly.lastChunk = clock.instant();
        listener.onFileProgress(new FileProgress(assembly.key.room(), assembly.key.sender(), assembly.manifest,
                assembly.received.cardinality(), assembly.bytes));
        if (assembly.received.cardinality() == assembly.manifest.chunks()) {
            complete(assembly);
        }
    }

    private void complete(Assembly assembly) {
        forget(assembly);
        String actual = FileManifest.hex(FileManifest.sha256(assembly.data));
        if (!actual.equals(assembly.manifest.sha256())) {
            report(assembly, IncompleteFile.Reason.CHECKSUM_MISMATCH, "sha256: " + actual + " (expected: " + assembly.manifest.sha256() + ")");
            return;
        }
        listener.onFile(new ReceivedFile(assembly.key.room(), assembly.key.sender(), assembly.manifest, assembly.data, assembly.position));
    }

    private void scheduleStallCheck(Assembly assembly, Duration delay) {
        if (stallChecks == null) {
            return;
        }
        assembly.stallCheck = stallChecks.schedule(() -> {
            if (assemblies.get(assembly.key) != assembly) {
                return;
            }
            Duration quiet = Duration.between(assembly.lastChunk, clock.instant());
            if (quiet.compareTo(settings.stallTimeout()) >= 0) {
                giveUp(assembly, IncompleteFile.Reason.STALLED, "no chunk for " + quiet + " (fileStallTimeout "
                        + settings.stallTimeout() + ")");
            } else {
                scheduleStallCheck(assembly, settings.stallTimeout().minus(quiet));
            }
        }, delay);
    }

    private void giveUp(Assembly assembly, IncompleteFile.Reason reason, String why) {
        forget(assembly);
        report(assembly, reason, why);
    }

    private void report(Assembly assembly, IncompleteFile.Reason reason, String why) {
        listener.onFileIncomplete(new IncompleteFile(assembly.key.room(), assembly.key.sender(), assembly.manifest,
                assembly.received.cardinality(), reason, why));
    }

    private void forget(Assembly assembly) {
        assemblies.remove(assembly.key, assembly);
        if (assembly.stallCheck != null) {
            assembly.stallCheck.cancel();
        }
    }
}
