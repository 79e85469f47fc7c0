package io.switchboard.client;

import io.switchboard.proto.client.v1.EphemeralEvent;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.RecoveryFailure;
import java.time.InstantSource;
import java.util.Set;

/**
 * A subscription's {@link FileAssembler} in front of the application's {@link RoomListener}: file messages go to the
 * assembler (and on as {@link RoomListener#onFile} and its siblings), never to {@code onMessage}; every other event
 * passes through. A resume that did not recover, and the subscription's end, give up the files in progress. Live,
 * replayed (resume) and re-sent messages are all the same to it: the client has already delivered each message once,
 * in position order.
 *
 * <p>Not thread-safe: event loop only.
 */
final class FileRoomListener implements RoomListener {
    private final String room;
    private final RoomListener listener;
    private final FileAssembler files;

    FileRoomListener(String room, RoomListener listener, FileSettings settings, Scheduler loop, InstantSource clock) {
        this.room = room;
        this.listener = listener;
        this.files = new FileAssembler(listener, settings, loop, clock);
    }

    @Override
    public void onMessage(Message message) {
        if (!files.accept(message)) {
            listener.onMessage(message);
        }
    }

    @Override
    public void onRecoveryFailure(RecoveryFailure failure) {
        files.giveUpAll(IncompleteFile.Reason.RECOVERY_FAILED, "resume of " + room + " failed: " + failure);
        listener.onRecoveryFailure(failure);
    }

    @Override
    public void onClosed(ErrorCode reason, String message) {
        files.giveUpAll(IncompleteFile.Reason.CLOSED, "subscription of " + room + " ended: " + reason);
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
