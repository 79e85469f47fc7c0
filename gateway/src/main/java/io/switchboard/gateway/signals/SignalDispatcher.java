package io.switchboard.gateway.signals;

import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.gateway.fanout.FanoutMessage;
import io.switchboard.gateway.fanout.Subscriber;
import io.switchboard.gateway.fanout.SubscriptionRegistry;
import io.switchboard.gateway.session.ClientSession;
import io.switchboard.gateway.session.ConnectionRegistry;
import io.switchboard.proto.client.v1.EphemeralEvent;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.UserMessage;
import io.switchboard.proto.internal.v1.CloseRoomCommand;
import io.switchboard.proto.internal.v1.ControlRecord;
import io.switchboard.proto.internal.v1.DisconnectCommand;
import io.switchboard.proto.internal.v1.EphemeralRecord;
import io.switchboard.proto.internal.v1.SubscribeCommand;
import io.switchboard.proto.internal.v1.UnsubscribeCommand;
import io.switchboard.proto.internal.v1.UserDelivery;

/**
 * Turns signal records into frames for this gateway's local connections. Every frame goes through the target
 * connection's outbound queue (its one write path); a frame is encoded once per subprotocol and shared.
 * Called on the signal consumer's thread only; holds no state of its own beyond the registries, which are
 * thread-safe.
 */
public final class SignalDispatcher {
    private static final Logger LOG = Logger.getLogger(SignalDispatcher.class.getName());

    private final String gatewayId;
    private final SubscriptionRegistry subscriptions;
    private final ConnectionRegistry connections;
    private final SignalMetrics metrics;

    SignalDispatcher(String gatewayId, SubscriptionRegistry subscriptions, ConnectionRegistry connections,
                     SignalMetrics metrics) {
        this.gatewayId = gatewayId;
        this.subscriptions = subscriptions;
        this.connections = connections;
        this.metrics = metrics;
    }

    /** True when {@code room} has local subscribers (records of other rooms are skipped unparsed). */
    boolean hasSubscribers(String room) {
        return !subscriptions.subscribers(room).isEmpty();
    }

    /** An ephemeral event: to the room's subscribers except the sending connection. */
    void ephemeral(EphemeralRecord r) {
        ServerFrame frame = ServerFrame.newBuilder().setEphemeral(EphemeralEvent.newBuilder()
                .setRoom(r.getRoom())
                .setKind(r.getKind())
                .setSender(r.getSender().getUserId())
                .setSessionId(r.getSender().getSessionId())
                .setPayload(r.getPayload())
                .setContentType(r.getContentType())
                .setStop(r.getStop())
                .setTtlMs(r.getTtlMs())
                .setTimestamp(r.getTime())).build();
        FanoutMessage message = new FanoutMessage(r.getRoom(), frame);
        String senderSession = r.getSender().getSessionId();
        int n = 0;
        for (Subscriber s : subscriptions.subscribers(r.getRoom())) {
            if (!s.sessionId().equals(senderSession) && signal(s, message)) {
                n++;
            }
        }
        metrics.delivered("ephemeral", n);
    }

    /** A room's presence delta: to the room's subscribers that asked for presence. */
    void presence(PresenceEvent event) {
        FanoutMessage message = new FanoutMessage(event.getRoom(), ServerFrame.newBuilder().setPresence(event).build());
        int n = 0;
        for (Subscriber s : subscriptions.subscribers(event.getRoom())) {
            if (s.wantsPresence(event.getRoom()) && signal(s, message)) {
                n++;
            }
        }
        metrics.delivered("presence", n);
    }

    /**
     * A control record: acted on only when addressed to every gateway or to this one.
     *
     * @return false when it is addressed to other gateways only
     */
    boolean control(ControlRecord r) {
        if (r.getGatewayIdsCount() > 0 && !r.getGatewayIdsList().contains(gatewayId)) {
            return false;
        }
        switch (r.getCommandCase()) {
            case DELIVER -> deliver(r);
            case DISCONNECT -> disconnect(r.getDisconnect());
            case CLOSE_ROOM -> closeRoom(r.getCloseRoom());
            case SUBSCRIBE -> subscribe(r.getSubscribe());
            case UNSUBSCRIBE -> unsubscribe(r.getUnsubscribe());
            case COMMAND_NOT_SET -> LOG.warning("Control record without a command ignored");
        }
        return true;
    }

    private void deliver(ControlRecord r) {
        UserDelivery d = r.getDeliver();
        ServerFrame frame = ServerFrame.newBuilder().setUserMessage(UserMessage.newBuilder()
                .setId(d.getId())
                .setSender(d.getSender().getUserId())
                .setPayload(d.getPayload())
                .setContentType(d.getContentType())
                .setTimestamp(r.getTime())).build();
        int n = 0;
        for (ClientSession s : connections.ofUser(d.getUserId())) {
            s.sendUserFrame(frame);
            n++;
        }
        metrics.delivered("user_message", n);
    }

    private void disconnect(DisconnectCommand d) {
        int code = d.getCode();
        if (code != ErrorCode.DISCONNECTED_VALUE && (code < 4000 || code > 4999)) {
            LOG.warning("Disconnect of " + d.getUserId() + " with code " + code
                    + " (expected: 3503 or 4000-4999); closing with 3503");
            code = ErrorCode.DISCONNECTED_VALUE;
        }
        String reason = d.getReason().isEmpty() ? "disconnected" : d.getReason();
        int n = 0;
        for (ClientSession s : addressed(d.getUserId(), d.getSessionId())) {
            if (s.close(code, reason)) {
                n++;
            }
        }
        metrics.delivered("disconnect", n);
    }

    /** A backend's SubscribeUser: subscribes the user's connections here (or the one session) to the room. */
    private void subscribe(SubscribeCommand c) {
        List<ClientSession> addressed = addressed(c.getUserId(), c.getSessionId());
        addressed.forEach(s -> s.serverSubscribe(c.getRoom(), c.getPresence()));
        metrics.delivered("subscribe", addressed.size());
    }

    /** A backend's UnsubscribeUser: ends those connections' subscriptions to the room. */
    private void unsubscribe(UnsubscribeCommand c) {
        List<ClientSession> addressed = addressed(c.getUserId(), c.getSessionId());
        addressed.forEach(s -> s.serverUnsubscribe(c.getRoom(), c.getReason()));
        metrics.delivered("unsubscribe", addressed.size());
    }

    /** The user's connections on this gateway, or only session {@code sessionId} when it is set. */
    private List<ClientSession> addressed(String userId, String sessionId) {
        List<ClientSession> all = connections.ofUser(userId);
        return sessionId.isEmpty() ? all : all.stream().filter(s -> s.sessionId().equals(sessionId)).toList();
    }

    private void closeRoom(CloseRoomCommand c) {
        String reason = c.getReason().isEmpty() ? "room closed" : c.getReason();
        Set<Subscriber> subscribers = subscriptions.subscribers(c.getRoom());
        int n = 0;
        // roomClosed unsubscribes, so iterate over a copy.
        for (Subscriber s : Set.copyOf(subscribers)) {
            try {
                s.roomClosed(c.getRoom(), reason);
                n++;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Closing " + c.getRoom() + " for a subscriber failed", e);
            }
        }
        metrics.delivered("close_room", n);
    }

    private static boolean signal(Subscriber s, FanoutMessage message) {
        try {
            s.signal(message);
            return true;
        } catch (RuntimeException e) {
            // One broken subscriber must not stop delivery to the others.
            LOG.log(Level.WARNING, "Signal to a subscriber of " + message.room() + " failed", e);
            return false;
        }
    }
}
