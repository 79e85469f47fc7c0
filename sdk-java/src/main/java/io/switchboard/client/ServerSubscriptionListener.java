package io.switchboard.client;

import io.switchboard.proto.client.v1.Subscribed;

/**
 * Told when a backend subscribes this user's connection to a room (SubscribeUser in the server API; the frame is
 * a Subscribed with request id 0 and {@code server_side}). Runs on the client's event thread; must not block.
 * The subscription is the client's from then on, like one made with {@link SwitchboardClient#subscribe}: it is
 * resumed after reconnects (which needs a grant of the user's own, see docs/security.md) and ends with
 * {@link Subscription#unsubscribe()} or the server's Unsubscribed.
 */
@FunctionalInterface
public interface ServerSubscriptionListener {
    /**
     * @param subscription the new subscription (its {@link Subscription#ready()} is complete)
     * @param subscribed   the server's Subscribed frame (room, epoch, where the stream starts, presence)
     * @return the listener of the room's events
     */
    RoomListener onServerSubscribed(Subscription subscription, Subscribed subscribed);
}
