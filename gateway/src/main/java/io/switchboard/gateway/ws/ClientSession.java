package io.switchboard.gateway.ws;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.gateway.auth.AuthException;
import io.switchboard.gateway.auth.VerifiedToken;
import io.switchboard.gateway.fanout.FanoutMessage;
import io.switchboard.gateway.fanout.Messages;
import io.switchboard.gateway.fanout.Subscriber;
import io.switchboard.gateway.history.ResumeOutcome;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Limits;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.Pong;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.client.v1.Unsubscribe;
import io.switchboard.proto.client.v1.Unsubscribed;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Sender;

/**
 * The state of one client connection and the protocol rules applied to its frames: Connect first (within the
 * connect timeout), then Subscribe / Unsubscribe / Publish / Ping / HistoryRequest. Every outbound frame
 * (replies, acks, fan-out, replayed history) goes through the connection's one {@link OutboundQueue}.
 *
 * <p>A Subscribe with {@code resume_from} registers at the fan-out's hand-over point, buffers the room's live
 * messages in a {@link Replay} while the missed ones are read from history (off the fan-out thread), then writes
 * Subscribed, the replayed messages and the buffer, in that order, and goes live. When history cannot be asked,
 * the subscription is removed again and the client gets a retriable Error (never a silent gap).
 *
 * <p>Threads: {@link #onFrame} runs on the connection's reader thread only; {@link #deliver} on the fan-out
 * thread; publish completions on gRPC threads; timeouts on the timer; {@link #close} and
 * {@link #onTransportClosed} on any of them. Thread-safe: the state is an atomic reference, the room set a
 * concurrent set, and closing is guarded by compare-and-set so it runs once.
 */
public final class ClientSession implements Subscriber {
    private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());
    /** RFC 6455 limits a close reason to 123 bytes of UTF-8. */
    private static final int MAX_CLOSE_REASON_BYTES = 123;
    /** HistoryRequests one connection may have waiting for the history service. */
    static final int MAX_INFLIGHT_HISTORY_REQUESTS = 8;

    private enum State { AWAITING_CONNECT, CONNECTED, CLOSING }

    private final String sessionId = UUID.randomUUID().toString();
    private final Subprotocol subprotocol;
    private final FrameCodec codec;
    private final SessionServices services;
    private final FrameSink sink;
    private final OutboundQueue outbound;
    private final AtomicReference<State> state = new AtomicReference<>(State.AWAITING_CONNECT);
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    // Rooms whose resume is replaying (or just turned live); read by the fan-out thread for every delivery.
    private final ConcurrentHashMap<String, Replay> replays = new ConcurrentHashMap<>();
    private final AtomicInteger historyInFlight = new AtomicInteger();
    private final AtomicInteger publishesInFlight = new AtomicInteger();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final AtomicBoolean transportClosed = new AtomicBoolean();
    // Written once on Connect by the reader thread, read by publish calls on the same thread.
    private volatile String userId = "";
    private volatile Future<?> connectTimer;
    private volatile Future<?> abortTimer;

    ClientSession(Subprotocol subprotocol, SessionServices services, FrameSink sink) {
        this.subprotocol = subprotocol;
        this.codec = subprotocol.codec();
        this.services = services;
        this.sink = sink;
        this.outbound = new OutboundQueue(sessionId, services.settings().maxOutboundQueueBytes(), sink,
                new OutboundQueue.Listener() {
                    @Override
                    public void queuedBytesChanged(long delta) {
                        services.metrics().outboundQueueBytes(delta);
                    }

                    @Override
                    public void sent(OutboundFrame frame) {
                        services.metrics().frameSent(frame.type());
                    }

                    @Override
                    public void writeFailed(RuntimeException failure) {
                        // The socket is gone or broken: make sure the transport ends so cleanup runs.
                        sink.abort();
                    }
                });
    }

    /** Starts the writer and the connect timeout; registers the connection. */
    void open() {
        services.connections().add(this);
        services.metrics().connectionOpened();
        outbound.start();
        connectTimer = services.timer().schedule(this::connectTimedOut,
                services.settings().connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    public String sessionId() {
        return sessionId;
    }

    public Subprotocol subprotocol() {
        return subprotocol;
    }

    /** Handles one decoded client frame. Reader thread only. */
    void onFrame(ClientFrame frame) {
        services.metrics().frameReceived(FrameCodec.typeOf(frame));
        State s = state.get();
        if (s == State.CLOSING) {
            return;
        }
        switch (frame.getFrameCase()) {
            case CONNECT -> onConnect(frame.getConnect());
            case FRAME_NOT_SET -> close(ErrorCode.PROTOCOL_ERROR, "unknown or missing frame type");
            default -> {
                if (s != State.CONNECTED) {
                    close(ErrorCode.PROTOCOL_ERROR, "first frame must be Connect, got " + FrameCodec.typeOf(frame));
                    return;
                }
                switch (frame.getFrameCase()) {
                    case SUBSCRIBE -> onSubscribe(frame.getSubscribe());
                    case UNSUBSCRIBE -> onUnsubscribe(frame.getUnsubscribe());
                    case PUBLISH -> onPublish(frame.getPublish());
                    case PING -> onPing(frame.getPing());
                    case HISTORY -> onHistory(frame.getHistory());
                    default -> close(ErrorCode.PROTOCOL_ERROR, "unexpected frame " + FrameCodec.typeOf(frame));
                }
            }
        }
    }

    private void onConnect(Connect connect) {
        if (state.get() == State.CONNECTED) {
            send(ServerFrames.error(0, new ClientError(ErrorCode.ALREADY_CONNECTED, "already connected"), ""));
            return;
        }
        VerifiedToken token;
        try {
            token = services.verifier().verify(connect.getToken());
        } catch (AuthException e) {
            close(e.code(), e.getMessage());
            return;
        }
        userId = token.userId();
        if (!state.compareAndSet(State.AWAITING_CONNECT, State.CONNECTED)) {
            return; // the connect timeout won the race
        }
        cancel(connectTimer);
        SessionSettings limits = services.settings();
        send(ServerFrame.newBuilder().setConnected(Connected.newBuilder()
                .setSessionId(sessionId)
                .setUserId(token.userId())
                .setServerTime(ServerFrames.timestamp(services.clock().instant()))
                .setGatewayId(services.gatewayId())
                .setLimits(Limits.newBuilder()
                        .setMaxFrameBytes(limits.maxFrameBytes())
                        .setMaxPayloadBytes(limits.maxPayloadBytes())
                        .setMaxSubscriptions(limits.maxSubscriptions())
                        .setMaxOutboundQueueBytes(limits.maxOutboundQueueBytes())
                        .setMaxRoomLength(Names.MAX_ROOM_LENGTH)
                        .setMaxIdLength(Names.MAX_ID_LENGTH))).build());
        LOG.fine(() -> "Session " + sessionId + " connected as " + token.userId() + " (" + subprotocol.token() + ")");
    }

    private void onSubscribe(Subscribe sub) {
        String room = sub.getRoom();
        Optional<String> problem = Names.roomProblem(room);
        if (problem.isPresent()) {
            send(ServerFrames.error(sub.getRequestId(), new ClientError(ErrorCode.INVALID_ROOM, problem.get()), room));
            return;
        }
        int max = services.settings().maxSubscriptions();
        if (!rooms.contains(room) && rooms.size() >= max) {
            send(ServerFrames.error(sub.getRequestId(), new ClientError(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "subscriptions: " + rooms.size() + " (expected: <= " + max + ")"), room));
            return;
        }
        if (sub.hasResumeFrom()) {
            onResume(sub);
            return;
        }
        // Register before replying: anything stored after the client reads Subscribed is then delivered
        // (a message may arrive just before its Subscribed, never be lost after it). The hand-over point
        // tells the client where its stream starts, so it can resume from there even in a quiet room.
        rooms.add(room);
        long liveFrom = services.handOver().subscribeAt(room, this);
        if (state.get() == State.CLOSING) {
            // close() may have run between the check and the add; undo so the registry does not keep us.
            unsubscribeAll();
            return;
        }
        send(ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder()
                .setRequestId(sub.getRequestId())
                .setRoom(room)
                .setEpoch(services.layout().epochOf(room))
                .setNextPosition(liveFrom)).build());
    }

    private void onResume(Subscribe sub) {
        String room = sub.getRoom();
        ResumeFrom from = sub.getResumeFrom();
        if (rooms.contains(room)) {
            // Its messages already flow; replaying on top would duplicate them.
            send(ServerFrames.error(sub.getRequestId(), new ClientError(ErrorCode.BAD_REQUEST,
                    "already subscribed to " + room + " (expected: unsubscribe before resuming)"), room));
            return;
        }
        // The last position the client processed; -1 when it has processed nothing of the room (next_position 0).
        long after;
        switch (from.getFromCase()) {
            case POSITION -> after = from.getPosition();
            case NEXT_POSITION -> after = from.getNextPosition() - 1;
            default -> {
                send(ServerFrames.error(sub.getRequestId(), new ClientError(ErrorCode.BAD_REQUEST,
                        "resume_from: no position (expected: position or next_position)"), room));
                return;
            }
        }
        String epoch = services.layout().epochOf(room);
        if (!from.getEpoch().equals(epoch)) {
            rooms.add(room);
            long liveFrom = services.handOver().subscribeAt(room, this);
            if (state.get() == State.CLOSING) {
                unsubscribeAll();
                return;
            }
            services.metrics().resume("epoch_changed");
            send(subscribed(sub, epoch, false, RecoveryFailure.EPOCH_CHANGED, 0, liveFrom));
            return;
        }
        Replay replay = new Replay(after, services.settings().maxResumeBufferBytes());
        replays.put(room, replay);
        rooms.add(room);
        long liveFrom = services.handOver().subscribeAt(room, this);
        if (state.get() == State.CLOSING) {
            unsubscribeAll();
            return;
        }
        services.resumer().missed(room, epoch, after, liveFrom).whenComplete((outcome, failure) -> {
            try {
                finishResume(sub, epoch, replay, liveFrom, failure == null ? outcome
                        : new ResumeOutcome.Failed(new ClientError(ErrorCode.INTERNAL, "internal error")));
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Resume of " + room + " failed in session " + sessionId, e);
                close(ErrorCode.SERVER_ERROR, "internal error");
            }
            if (failure != null) {
                LOG.log(Level.SEVERE, "Resume of " + room + " failed in session " + sessionId, failure);
            }
        });
    }

    /** Any thread: ends a resume with its outcome. */
    private void finishResume(Subscribe sub, String epoch, Replay replay, long liveFrom, ResumeOutcome outcome) {
        String room = sub.getRoom();
        switch (outcome) {
            case ResumeOutcome.Failed f -> {
                if (replay.cancel()) {
                    replays.remove(room, replay);
                    rooms.remove(room);
                    services.subscriptions().unsubscribe(room, this);
                    services.metrics().resume(f.error().code().name().toLowerCase(Locale.ROOT));
                    send(ServerFrames.error(sub.getRequestId(), f.error(), room));
                }
            }
            case ResumeOutcome.NotRecovered n -> {
                services.metrics().resume(n.reason().name().toLowerCase(Locale.ROOT));
                handOver(room, replay, subscribed(sub, epoch, false, n.reason(), 0, liveFrom), List.of());
            }
            case ResumeOutcome.Recovered r -> {
                // Encoded before taking the replay's lock, which the fan-out thread may be waiting for.
                List<Replay.Positioned> frames = new ArrayList<>(r.messages().size());
                for (Envelope env : r.messages()) {
                    ServerFrame message = ServerFrame.newBuilder()
                            .setMessage(Messages.ofStored(room, env, epoch)).build();
                    frames.add(new Replay.Positioned(env.getPosition().getOffset(), codec.encode(message)));
                }
                services.metrics().resume("recovered");
                handOver(room, replay, subscribed(sub, epoch, true, RecoveryFailure.RECOVERY_FAILURE_UNSPECIFIED,
                        frames.size(), liveFrom), frames);
            }
        }
    }

    private void handOver(String room, Replay replay, ServerFrame subscribed, List<Replay.Positioned> frames) {
        if (replay.finish(codec.encode(subscribed), frames, this::enqueue)) {
            replays.remove(room, replay);
        }
    }

    private static ServerFrame subscribed(Subscribe sub, String epoch, boolean recovered, RecoveryFailure failure,
                                          int replayed, long nextPosition) {
        return ServerFrame.newBuilder().setSubscribed(Subscribed.newBuilder()
                .setRequestId(sub.getRequestId())
                .setRoom(sub.getRoom())
                .setEpoch(epoch)
                .setRecovered(recovered)
                .setRecoveryFailure(failure)
                .setReplayed(replayed)
                .setNextPosition(nextPosition)).build();
    }

    private void onHistory(HistoryRequest request) {
        if (historyInFlight.incrementAndGet() > MAX_INFLIGHT_HISTORY_REQUESTS) {
            historyInFlight.decrementAndGet();
            send(ServerFrames.error(request.getRequestId(), new ClientError(ErrorCode.RATE_LIMITED,
                    "history requests in flight: " + MAX_INFLIGHT_HISTORY_REQUESTS + " (expected: < "
                            + MAX_INFLIGHT_HISTORY_REQUESTS + "); wait for pages"), request.getRoom()));
            return;
        }
        services.historyPager().page(request).whenComplete((reply, failure) -> {
            try {
                if (failure != null) {
                    LOG.log(Level.SEVERE, "History request failed in session " + sessionId, failure);
                    send(ServerFrames.error(request.getRequestId(),
                            new ClientError(ErrorCode.INTERNAL, "internal error"), request.getRoom()));
                } else {
                    send(reply);
                }
            } finally {
                historyInFlight.decrementAndGet();
            }
        });
    }

    private void onUnsubscribe(Unsubscribe unsub) {
        String room = unsub.getRoom();
        Optional<String> problem = Names.roomProblem(room);
        if (problem.isPresent()) {
            send(ServerFrames.error(unsub.getRequestId(), new ClientError(ErrorCode.INVALID_ROOM, problem.get()), room));
            return;
        }
        rooms.remove(room);
        services.subscriptions().unsubscribe(room, this);
        Replay replay = replays.remove(room);
        if (replay != null) {
            replay.cancel(); // a resume in progress ends here; its Subscribe gets no reply of its own
        }
        send(ServerFrame.newBuilder().setUnsubscribed(Unsubscribed.newBuilder()
                .setRequestId(unsub.getRequestId())
                .setRoom(room)).build());
    }

    private void onPublish(Publish p) {
        PublishHandler publisher = services.publisher();
        Optional<ClientError> invalid = publisher.validate(p);
        if (invalid.isPresent()) {
            reject(p, invalid.get());
            return;
        }
        int max = services.settings().maxInflightPublishes();
        if (publishesInFlight.incrementAndGet() > max) {
            publishesInFlight.decrementAndGet();
            reject(p, new ClientError(ErrorCode.RATE_LIMITED,
                    "publishes in flight: " + max + " (expected: < " + max + "); wait for acks"));
            return;
        }
        if (!services.admission().tryStartPublish()) {
            publishesInFlight.decrementAndGet();
            reject(p, new ClientError(ErrorCode.UNAVAILABLE, "gateway is draining; reconnect and retry"));
            return;
        }
        Sender sender = Sender.newBuilder()
                .setUserId(userId)
                .setSessionId(sessionId)
                .setGatewayId(services.gatewayId())
                .build();
        publisher.publish(p, sender).whenComplete((reply, failure) -> {
            try {
                if (failure != null) {
                    // PublishHandler never fails its future; this is a bug, but the client still gets an answer.
                    LOG.log(Level.SEVERE, "Publish handling failed in session " + sessionId, failure);
                    send(ServerFrames.error(p.getRequestId(),
                            new ClientError(ErrorCode.INTERNAL, "internal error"), p.getRoom()));
                } else if (reply.hasError() || p.getAck()) {
                    send(reply);
                }
            } finally {
                publishesInFlight.decrementAndGet();
                services.admission().publishFinished();
            }
        });
    }

    private void reject(Publish p, ClientError error) {
        services.publisher().rejected(error);
        send(ServerFrames.error(p.getRequestId(), error, p.getRoom()));
    }

    private void onPing(Ping ping) {
        send(ServerFrame.newBuilder().setPong(Pong.newBuilder()
                .setNonce(ping.getNonce())
                .setServerTime(ServerFrames.timestamp(services.clock().instant()))).build());
    }

    /** Answers a WebSocket-level ping through the write path. */
    void onWsPing(byte[] payload) {
        enqueue(OutboundFrame.pong(payload));
    }

    /** Fan-out thread: queues a room message; never blocks. */
    @Override
    public void deliver(FanoutMessage message) {
        if (state.get() != State.CONNECTED) {
            return;
        }
        OutboundFrame frame = message.encoded(subprotocol, codec::encode);
        Replay replay = replays.get(message.room());
        if (replay != null) {
            switch (replay.offer(message.frame().getMessage().getPosition(), frame)) {
                case HANDLED -> {
                    return;
                }
                case OVERFLOW -> {
                    close(ErrorCode.SLOW_CONSUMER, "slow consumer: more than "
                            + services.settings().maxResumeBufferBytes() + " live bytes buffered during a resume");
                    return;
                }
                case LIVE -> {
                    // the replay is over: write as usual
                }
            }
        }
        enqueue(frame);
    }

    private void send(ServerFrame frame) {
        enqueue(codec.encode(frame));
    }

    private void enqueue(OutboundFrame frame) {
        if (outbound.offer(frame) == OutboundQueue.Offer.OVERFLOW) {
            close(ErrorCode.SLOW_CONSUMER, "slow consumer: more than "
                    + services.settings().maxOutboundQueueBytes() + " bytes queued");
        }
    }

    private void connectTimedOut() {
        if (state.get() == State.AWAITING_CONNECT) {
            close(ErrorCode.CONNECT_TIMEOUT, "no Connect frame within " + services.settings().connectTimeout());
        }
    }

    /**
     * Closes the connection with {@code code}: stops fan-out to it, writes the frames already queued (all but
     * SLOW_CONSUMER, whose queue is dropped), then a close frame; aborts the transport if the close does not
     * complete within the close timeout. Runs once; later calls return false.
     */
    public boolean close(ErrorCode code, String reason) {
        if (!closeStarted.compareAndSet(false, true)) {
            return false;
        }
        state.set(State.CLOSING);
        cancel(connectTimer);
        unsubscribeAll();
        boolean slow = code == ErrorCode.SLOW_CONSUMER;
        services.metrics().closed(code.getNumber());
        if (slow) {
            services.metrics().slowConsumer();
        }
        outbound.close(code.getNumber(), truncate(reason), slow);
        if (!transportClosed.get()) {
            abortTimer = services.timer().schedule(this::abortIfOpen,
                    services.settings().closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        LOG.fine(() -> "Session " + sessionId + " closing with " + code.getNumber() + ": " + reason);
        return true;
    }

    /** Tears the transport down now, without a close handshake. */
    void abort() {
        sink.abort();
        outbound.terminate(true);
    }

    private void abortIfOpen() {
        if (!transportClosed.get()) {
            LOG.fine(() -> "Session " + sessionId + " did not finish closing in time; aborting");
            abort();
        }
    }

    /** The WebSocket is gone (closed by either side or broken). Idempotent; any thread. */
    void onTransportClosed() {
        if (!transportClosed.compareAndSet(false, true)) {
            return;
        }
        closeStarted.set(true);
        state.set(State.CLOSING);
        cancel(connectTimer);
        cancel(abortTimer);
        unsubscribeAll();
        // No interrupt: on a client-initiated close Helidon still writes its close reply on this socket.
        outbound.terminate(false);
        services.connections().remove(this);
        services.metrics().connectionClosed();
        LOG.fine(() -> "Session " + sessionId + " transport closed");
    }

    private void unsubscribeAll() {
        for (Replay replay : List.copyOf(replays.values())) {
            replay.cancel();
        }
        replays.clear();
        for (String room : List.copyOf(rooms)) {
            rooms.remove(room);
            services.subscriptions().unsubscribe(room, this);
        }
    }

    private static void cancel(Future<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    static String truncate(String reason) {
        byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_CLOSE_REASON_BYTES) {
            return reason;
        }
        // Cut on a character boundary.
        int end = reason.length();
        while (end > 0 && Utf8.encodedLength(reason.subSequence(0, end)) > MAX_CLOSE_REASON_BYTES) {
            end--;
        }
        if (end > 0 && Character.isHighSurrogate(reason.charAt(end - 1))) {
            end--;
        }
        return reason.substring(0, end);
    }

    @Override
    public String toString() {
        return "ClientSession{" + sessionId + ", " + subprotocol.token() + ", state=" + state.get() + "}";
    }
}
