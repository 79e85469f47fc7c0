package io.switchboard.client;

import io.switchboard.proto.client.v1.EphemeralEvent;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.RecoveryFailure;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Puts the files of one room together from its messages (docs/protocol.md section 16) in front of the application's
 * {@link RoomListener}: a manifest opens a file, its chunks fill it (by the index in their id, in any order), and
 * once all are in and the SHA-256 matches the listener gets {@link RoomListener#onFile}; on the way
 * {@link RoomListener#onFileProgress}, and {@link RoomListener#onFileIncomplete} if it cannot finish. File messages
 * do not reach {@code onMessage}; every other event passes through. Live, replayed (resume) and re-sent messages
 * are all the same to it: the client has already delivered each message once, in position order.
 *
 * <p>Not thread-safe: event loop only.
 */
final class FileAssembler implements RoomListener {
    private final String room;
    private final RoomListener listener;
    private final FileSettings settings;
    private final Scheduler loop;
    private final InstantSource clock;
    /** Files in progress by sender and file id, oldest first. */
    private final Map<String, Assembly> assemblies = new LinkedHashMap<>();

    private final class Assembly {
        final String key;
        final String sender;
        final FileManifest manifest;
        final long position;
        final byte[] data;
        final BitSet received = new BitSet();
        long bytes;
        Instant lastChunk;
        Scheduler.Cancellable stallCheck;

        Assembly(String key, String sender, FileManifest manifest, long position) {
            this.key = key;
            this.sender = sender;
            this.manifest = manifest;
            this.position = position;
            this.data = new byte[(int) manifest.size()];
            this.lastChunk = clock.instant();
        }
    }

    FileAssembler(String room, RoomListener listener, FileSettings settings, Scheduler loop, InstantSource clock) {
        this.room = room;
        this.listener = listener;
        this.settings = settings;
        this.loop = loop;
        this.clock = clock;
    }

    @Override
    public void onMessage(Message message) {
        switch (message.getContentType()) {
            case FileManifest.CONTENT_TYPE -> onManifest(message);
            case FileManifest.CHUNK_CONTENT_TYPE -> onChunk(message);
            default -> listener.onMessage(message);
        }
    }

    private void onManifest(Message message) {
        FileManifest manifest;
        try {
            manifest = FileManifest.parse(message.getPayload().toByteArray());
        } catch (IllegalArgumentException | ArithmeticException e) {
            listener.onMessage(message); // not a manifest after all: the application may know what it is
            return;
        }
        if (manifest.size() > settings.maxFileBytes()) {
            listener.onFileIncomplete(new IncompleteFile(room, message.getSender(), manifest, 0, IncompleteFile.Reason.TOO_LARGE,
                    "size: " + manifest.size() + " (expected: <= maxFileBytes " + settings.maxFileBytes() + ")"));
            return;
        }
        if (assemblies.size() >= settings.maxFilesInProgress()) {
            Assembly oldest = assemblies.values().iterator().next();
            giveUp(oldest, IncompleteFile.Reason.TOO_LARGE, "more than maxFilesInProgress " + settings.maxFilesInProgress()
                    + " files in progress in " + room + "; the oldest is dropped");
        }
        String key = message.getSender() + "\n" + manifest.fileId();
        Assembly assembly = new Assembly(key, message.getSender(), manifest, message.getPosition());
        Assembly previous = assemblies.put(key, assembly);
        if (previous != null && previous.stallCheck != null) {
            previous.stallCheck.cancel();
        }
        if (manifest.chunks() == 0) {
            complete(assembly);
        } else {
            scheduleStallCheck(assembly, settings.stallTimeout());
        }
    }

    private void onChunk(Message message) {
        String fileId = FileManifest.fileIdOfChunk(message.getId());
        Assembly assembly = fileId == null ? null : assemblies.get(message.getSender() + "\n" + fileId);
        if (assembly == null) {
            return; // its manifest came before this subscription (or was refused): nothing to add it to
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
        listener.onFileProgress(new FileProgress(room, assembly.sender, assembly.manifest, assembly.received.cardinality(), assembly.bytes));
        if (assembly.received.cardinality() == assembly.manifest.chunks()) {
            complete(assembly);
        }
    }

    private void complete(Assembly assembly) {
        forget(assembly);
        String actual = FileManifest.hex(sha256().digest(assembly.data));
        if (!actual.equals(assembly.manifest.sha256())) {
            listener.onFileIncomplete(new IncompleteFile(room, assembly.sender, assembly.manifest, assembly.received.cardinality(),
                    IncompleteFile.Reason.CHECKSUM_MISMATCH, "sha256: " + actual + " (expected: " + assembly.manifest.sha256() + ")"));
            return;
        }
        listener.onFile(new ReceivedFile(room, assembly.sender, assembly.manifest, assembly.data, assembly.position));
    }

    private void scheduleStallCheck(Assembly assembly, Duration delay) {
        assembly.stallCheck = loop.schedule(() -> {
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
        listener.onFileIncomplete(new IncompleteFile(room, assembly.sender, assembly.manifest, assembly.received.cardinality(), reason, why));
    }

    private void forget(Assembly assembly) {
        assemblies.remove(assembly.key);
        if (assembly.stallCheck != null) {
            assembly.stallCheck.cancel();
        }
    }

    private void giveUpAll(IncompleteFile.Reason reason, String why) {
        for (Assembly assembly : assemblies.values().toArray(Assembly[]::new)) {
            giveUp(assembly, reason, why);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void onRecoveryFailure(RecoveryFailure failure) {
        giveUpAll(IncompleteFile.Reason.RECOVERY_FAILED, "resume of " + room + " failed: " + failure);
        listener.onRecoveryFailure(failure);
    }

    @Override
    public void onClosed(ErrorCode reason, String message) {
        giveUpAll(IncompleteFile.Reason.CLOSED, "subscription of " + room + " ended: " + reason);
        listener.onClosed(reason, message);
    }

    @Override
    public void onPresence(PresenceEvent event) {
        listener.onPresence(event);
    }

    @Override
    public void onMembers(MemberList members) {
        listener.onMembers(members);
    }

    @Override
    public void onTyping(Set<String> typingUsers) {
        listener.onTyping(typingUsers);
    }

    @Override
    public void onEphemeral(EphemeralEvent event) {
        listener.onEphemeral(event);
    }
}
