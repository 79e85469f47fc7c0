package io.switchboard.client;

import io.switchboard.proto.client.v1.UserMessage;

/** Receives direct messages to this user (another user's sendToUser or a backend's SendToUser). Must not block. */
@FunctionalInterface
public interface UserMessageListener {
    void onUserMessage(UserMessage message);
}
