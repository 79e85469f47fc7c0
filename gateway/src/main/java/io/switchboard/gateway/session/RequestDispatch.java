package io.switchboard.gateway.session;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

import io.switchboard.gateway.limits.ConnectionLimits;
import io.switchboard.gateway.limits.FrameRateLimiter;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.gateway.ws.FrameCodec;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * A connected session's requests, from the frame to the part that handles it: the frame rate limits, then the
 * connection's {@link RequestLane} (in arrival order; RATE_LIMITED when it is full; a publish refused by either
 * still takes its number in its publish lane, in its turn), then, in its turn, one handler
 * per frame type: Subscribe / Unsubscribe ({@link SubscriptionRequests}), Publish / DirectMessage
 * ({@link PublishRequests}), HistoryRequest / PresenceQuery ({@link ReadRequests}), Ephemeral
 * ({@link EphemeralRequests}), SetStatus ({@link SessionPresence}), RefreshToken ({@link RefreshRequests}) and Ping.
 * A backend's SubscribeUser / UnsubscribeUser join the same lane and are never refused.
 *
 * <p>Threads: {@link #offer} on the connection's reader thread; the server's requests on the signal consumer's
 * thread; a request runs on the thread that offered it or on the one that answered the request before it. Every
 * request checks that the session is still connected when its turn comes.
 */
final class RequestDispatch {
    /**
     * Where one session's requests go: its lane (their order), then the handler of each request type. Built for
     * each session by {@link SessionFactory}; {@link RequestDispatch} is its only user.
     *
     * @param lane          the connection's requests in order
     * @param subscriptions Subscribe (also resuming), Unsubscribe, the server's (un)subscriptions
     * @param publishes     Publish and DirectMessage
     * @param reads         HistoryRequest and PresenceQuery
     * @param ephemerals    Ephemeral
     * @param presence      SetStatus
     * @param refreshes     RefreshToken
     */
    record Handlers(RequestLane lane, SubscriptionRequests subscriptions, PublishRequests publishes,
                    ReadRequests reads, EphemeralRequests ephemerals, SessionPresence presence,
                    RefreshRequests refreshes) {
    }

    private final SessionOutput output;
    private final RequestLane lane;
    private final ConnectionLimits limits;
    private final SessionPresence presence;
    private final SubscriptionRequests subscriptions;
    private final RefreshRequests refreshes;
    private final PublishRequests publishes;
    private final ReadRequests reads;
    private final EphemeralRequests ephemerals;
    private final GatewayReplies replies;
    private final BooleanSupplier connected;
    private final BiConsumer<ErrorCode, String> close;
    /** Steps of {@link #refusedBeforeItsTurn} queued and not run yet. */
    private final AtomicInteger refusalsWaiting = new AtomicInteger();

    /**
     * @param output    the connection's write path (refusals, SetStatus and Ping answers)
     * @param limits    the frame rate limits
     * @param handlers  the lane and the handler of each request type
     * @param replies   Pong
     * @param connected whether the session is connected (requests of a session that is closing do nothing)
     * @param close     closes the session (a frame that is not a request, the frame rate's hard limit)
     */
    RequestDispatch(SessionOutput output, ConnectionLimits limits, Handlers handlers, GatewayReplies replies,
                    BooleanSupplier connected, BiConsumer<ErrorCode, String> close) {
        this.output = output;
        this.lane = handlers.lane();
        this.limits = limits;
        this.presence = handlers.presence();
        this.subscriptions = handlers.subscriptions();
        this.refreshes = handlers.refreshes();
        this.publishes = handlers.publishes();
        this.reads = handlers.reads();
        this.ephemerals = handlers.ephemerals();
        this.replies = replies;
        this.connected = connected;
        this.close = close;
    }

    /** Reader thread: a client's request after Connect, within the frame rate limits, in the connection's order. */
    void offer(ClientFrame frame) {
        if (!withinRateLimits(frame)) {
            refusedBeforeItsTurn(frame);
        } else if (!lane.offer(() -> request(frame), frame.getSerializedSize())) {
            LaneFullRefusal.of(frame).ifPresent(output::send);
            refusedBeforeItsTurn(frame);
        }
    }

    /**
     * A Publish (or stored DirectMessage) refused RATE_LIMITED before its turn still takes its number in its room's
     * publish lane, in its turn (a payload-free step that always fits): else a publish the client sent after it,
     * and accepted, would be stored before the client's resend of the refused one. At most {@link
     * RequestLane#MAX_WAITING} such steps wait at once; past that (a client ignoring its refusals) the rest are
     * not numbered.
     */
    private void refusedBeforeItsTurn(ClientFrame frame) {
        if (!connected.getAsBoolean() || refusalsWaiting.get() >= RequestLane.MAX_WAITING) {
            return;
        }
        publishes.refusedBeforeItsTurn(frame).ifPresent(step -> {
            refusalsWaiting.incrementAndGet();
            lane.offerAlways(() -> {
                refusalsWaiting.decrementAndGet();
                return connected.getAsBoolean() ? step.run() : null;
            });
        });
    }

    /** Signal thread: a backend's SubscribeUser, in the connection's order, without a permission check. */
    void serverSubscribe(String room, boolean wantsPresence) {
        whileConnected(() -> subscriptions.serverSubscribe(room, wantsPresence));
    }

    /** Signal thread: a backend's UnsubscribeUser, in the connection's order. */
    void serverUnsubscribe(String room, String reason) {
        whileConnected(() -> subscriptions.serverUnsubscribe(room, reason));
    }

    /** Publishes still waiting for a router's answer. */
    int publishesInFlight() {
        return publishes.inFlight();
    }

    private void whileConnected(Runnable command) {
        if (connected.getAsBoolean()) {
            lane.offerAlways(() -> {
                if (connected.getAsBoolean()) {
                    command.run();
                }
                return null;
            });
        }
    }

    /** Applies the frame rate limits: false (and RATE_LIMITED sent, or the connection closed) when over them. */
    private boolean withinRateLimits(ClientFrame frame) {
        FrameRateLimiter.Verdict verdict = limits.admit(frame.getSerializedSize());
        switch (verdict) {
            case ACCEPT -> {
                return true;
            }
            case CLOSE -> close.accept(ErrorCode.RATE_LIMIT_EXCEEDED, limits.refusal(verdict));
            default -> output.send(ServerFrames.error(LaneFullRefusal.requestIdOf(frame),
                    new ClientError(ErrorCode.RATE_LIMITED, limits.refusal(verdict)), ""));
        }
        return false;
    }

    /** One request, in its turn: returns what the next request waits for (see {@link RequestLane.Step}). */
    private CompletionStage<?> request(ClientFrame frame) {
        if (!connected.getAsBoolean()) {
            return null;
        }
        return switch (frame.getFrameCase()) {
            case SUBSCRIBE -> subscriptions.subscribe(frame.getSubscribe());
            case UNSUBSCRIBE -> done(() -> subscriptions.unsubscribe(frame.getUnsubscribe()));
            case PUBLISH -> publishes.publish(frame.getPublish());
            case DIRECT -> done(() -> publishes.direct(frame.getDirect()));
            case HISTORY -> reads.history(frame.getHistory());
            case PRESENCE -> reads.presence(frame.getPresence());
            case EPHEMERAL -> ephemerals.send(frame.getEphemeral());
            case SET_STATUS -> done(() -> output.send(presence.setStatus(frame.getSetStatus())));
            case REFRESH -> refreshes.refresh(frame.getRefresh());
            case PING -> done(() -> output.send(replies.pong(frame.getPing())));
            default -> done(() -> close.accept(ErrorCode.PROTOCOL_ERROR,
                    "unexpected frame " + FrameCodec.typeOf(frame)));
        };
    }

    private static CompletionStage<?> done(Runnable request) {
        request.run();
        return null;
    }
}
