package io.switchboard.gateway.ws;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.gateway.auth.AuthException;
import io.switchboard.gateway.auth.VerifiedToken;
import io.switchboard.gateway.fanout.FanoutMessage;
import io.switchboard.proto.Messages;
import io.switchboard.gateway.fanout.Subscriber;
import io.switchboard.gateway.history.ResumeOutcome;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.Ephemeral;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.Limits;
import io.switchboard.proto.client.v1.Ping;
import io.switchboard.proto.client.v1.Pong;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.client.v1.RefreshToken;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.SetStatus;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.client.v1.Unsubscribe;
import io.switchboard.proto.client.v1.Unsubscribed;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Sender;

/**
 * The state of one client connection and the protocol rules applied to its frames: Connect first (within the
 * connect timeout), then Subscribe / Unsubscribe / Publish / Ping / HistoryRequest / Ephemeral / SetStatus /
 * PresenceQuery / DirectMessage / RefreshToken. Every outbound frame (replies, acks, fan-out, replayed history,
 * ephemeral and presence events, user messages) goes through the connection's one {@link OutboundQueue}.
 * Connection and membership changes are reported to presence; a token that expires closes the connection 3501.
 *
 * <p>A Subscribe with {@code resume_from} registers at the fan-out's hand-over point, buffers the room's live
 * messages in a {@link Replay} while the missed ones are read from history (off the fan-out thread), then writes
 * Subscribed, the replayed messages and the buffer, in that order, and goes live. When history cannot be asked,
 * the subscription is removed again and the client gets a retriable Error (never a silent gap).
 *
 * <p>Threads: {@link #onFrame} runs on the connection's reader thread only; {@link #deliver} on the fan-out
 * thread; signals ({@link #signal}, {@link #roomClosed}, {@link #sendUserFrame}) on the signal consumer's thread;
 * publish completions on gRPC threads; timeouts and expiry checks on the timer; {@link #close} and
 * {@link #onTransportClosed} on any of them. Thread-safe: the state is an atomic reference, the room set a
 * concurrent set, and closing is guarded by compare-and-set so it runs once.
 */
public final class ClientSession implements Subscriber {
    private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());
    /** RFC 6455 limits a close reason to 123 bytes of UTF-8. */
    private static final int MAX_CLOSE_REASON_BYTES = 123;
    /** HistoryRequests one connection may have waiting for the history service. */
    static final int MAX_INFLIGHT_HISTORY_REQUESTS = 8;
    /** PresenceQueries one connection may have waiting for the presence service. */
    static final int MAX_INFLIGHT_PRESENCE_QUERIES = 8;
    /** Ephemeral events one connection may have waiting for a router; more are dropped. */
    static final int MAX_INFLIGHT_EPHEMERALS = 16;
    /** Longest SetStatus text, in characters. */
    static final int MAX_STATUS_TEXT = 128;

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
    private final AtomicInteger presenceQueriesInFlight = new AtomicInteger();
    private final AtomicInteger ephemeralsInFlight = new AtomicInteger();
    // Rooms subscribed with presence=true (a subset of rooms).
    private final Set<String> presenceRooms = ConcurrentHashMap.newKeySet();
    // Orders the presence "opened" and "closed" reports of this session (close may race with Connect).
    private final ReentrantLock presenceLock = new ReentrantLock();
    // @GuardedBy("presenceLock")
    private boolean presenceOpened;
    // @GuardedBy("presenceLock")
    private boolean presenceClosed;
    // When the current token expires; null before Connect. Replaced by RefreshToken.
    private volatile Instant tokenExpiresAt;
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

    /**
     * Drain, step one (any thread): tells the client a close 3000 follows and to reconnect within
     * {@code reconnectWithinMs}. Publishes are already refused by the gateway's admission at this point.
     */
    public void announceDrain(int reconnectWithinMs) {
        if (state.get() != State.CLOSING) {
            send(ServerFrame.newBuilder().setDrain(io.switchboard.proto.client.v1.Drain.newBuilder()
                    .setReconnectWithinMs(reconnectWithinMs)).build());
        }
    }

    /** Publishes of this connection still waiting for a router's answer (a drain closes after they are acked). */
    public int publishesInFlight() {
        return publishesInFlight.get();
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
                    case EPHEMERAL -> onEphemeral(frame.getEphemeral());
                    case SET_STATUS -> onSetStatus(frame.getSetStatus());
                    case PRESENCE -> onPresenceQuery(frame.getPresence());
                    case DIRECT -> onDirect(frame.getDirect());
                    case REFRESH -> onRefresh(frame.getRefresh());
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
        tokenExpiresAt = token.expiresAt();
        services.connections().userConnected(this, userId);
        if (transportClosed.get()) {
            services.connections().remove(this); // the transport ended while we indexed: undo
        }
        reportOpened(connect.getClient());
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
        setPresenceFlag(room, sub.getPresence());
        joined(room);
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
        setPresenceFlag(room, sub.getPresence());
        if (!from.getEpoch().equals(epoch)) {
            joined(room);
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
        joined(room);
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
                    left(room);
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
        left(room);
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
        publisher.publish(p, sender()).whenComplete((reply, failure) -> {
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

    private void setPresenceFlag(String room, boolean presence) {
        if (presence) {
            presenceRooms.add(room);
        } else {
            presenceRooms.remove(room);
        }
    }

    /** Adds {@code room} to the subscribed set and tells presence when it is new. */
    private void joined(String room) {
        if (rooms.add(room)) {
            services.features().presence().joined(sessionId, room);
        }
    }

    /** Removes {@code room} from the subscribed set and tells presence when it was there; true if it was. */
    private boolean left(String room) {
        presenceRooms.remove(room);
        if (rooms.remove(room)) {
            services.features().presence().left(sessionId, room);
            return true;
        }
        return false;
    }

    private Sender sender() {
        return Sender.newBuilder()
                .setUserId(userId)
                .setSessionId(sessionId)
                .setGatewayId(services.gatewayId())
                .build();
    }

    private void onEphemeral(Ephemeral e) {
        int rid = e.getRequestId();
        EphemeralHandler handler = services.features().ephemerals();
        Optional<ClientError> invalid = handler.validate(e);
        if (invalid.isPresent()) {
            send(ServerFrames.error(rid, invalid.get(), e.getRoom()));
            return;
        }
        if (!rooms.contains(e.getRoom())) {
            send(ServerFrames.error(rid, new ClientError(ErrorCode.NOT_SUBSCRIBED,
                    "not subscribed to " + e.getRoom() + " (expected: subscribe before sending events)"), e.getRoom()));
            return;
        }
        if (ephemeralsInFlight.incrementAndGet() > MAX_INFLIGHT_EPHEMERALS) {
            ephemeralsInFlight.decrementAndGet();
            if (rid != 0) {
                send(ServerFrames.error(rid, new ClientError(ErrorCode.RATE_LIMITED,
                        "ephemeral events in flight: " + MAX_INFLIGHT_EPHEMERALS + " (expected: fewer)"), e.getRoom()));
            }
            return;
        }
        handler.send(e, sender()).whenComplete((error, failure) -> {
            try {
                if (failure != null) {
                    LOG.log(Level.SEVERE, "Ephemeral handling failed in session " + sessionId, failure);
                } else if (error.isPresent() && rid != 0) {
                    // Fire-and-forget events (request_id 0) hear nothing back, not even about throttling.
                    send(ServerFrames.error(rid, error.get(), e.getRoom()));
                }
            } finally {
                ephemeralsInFlight.decrementAndGet();
            }
        });
    }

    private void onSetStatus(SetStatus set) {
        int rid = set.getRequestId();
        PresenceStatus status = set.getStatus();
        if (status != PresenceStatus.ONLINE && status != PresenceStatus.AWAY && status != PresenceStatus.BUSY) {
            send(ServerFrames.error(rid, new ClientError(ErrorCode.BAD_REQUEST,
                    "status: " + status + " (expected: ONLINE, AWAY or BUSY)"), ""));
            return;
        }
        if (set.getText().codePointCount(0, set.getText().length()) > MAX_STATUS_TEXT) {
            send(ServerFrames.error(rid, new ClientError(ErrorCode.BAD_REQUEST,
                    "text: " + set.getText().length() + " characters (expected: <= " + MAX_STATUS_TEXT + ")"), ""));
            return;
        }
        if (!services.features().presence().enabled()) {
            send(ServerFrames.error(rid, new ClientError(ErrorCode.UNAVAILABLE, "presence is not configured"), ""));
            return;
        }
        services.features().presence().status(sessionId, status, set.getText());
        send(ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(rid)).build());
    }

    private void onPresenceQuery(PresenceQuery q) {
        PresenceQueryHandler handler = services.features().presenceQueries();
        Optional<ClientError> invalid = handler.validate(q);
        if (invalid.isPresent()) {
            send(ServerFrames.error(q.getRequestId(), invalid.get(), q.getRoom()));
            return;
        }
        if (!rooms.contains(q.getRoom())) {
            send(ServerFrames.error(q.getRequestId(), new ClientError(ErrorCode.NOT_SUBSCRIBED,
                    "not subscribed to " + q.getRoom() + " (expected: subscribe before asking for members)"),
                    q.getRoom()));
            return;
        }
        if (presenceQueriesInFlight.incrementAndGet() > MAX_INFLIGHT_PRESENCE_QUERIES) {
            presenceQueriesInFlight.decrementAndGet();
            send(ServerFrames.error(q.getRequestId(), new ClientError(ErrorCode.RATE_LIMITED,
                    "presence queries in flight: " + MAX_INFLIGHT_PRESENCE_QUERIES + " (expected: < "
                            + MAX_INFLIGHT_PRESENCE_QUERIES + "); wait for pages"), q.getRoom()));
            return;
        }
        handler.query(q).whenComplete((reply, failure) -> {
            try {
                if (failure != null) {
                    LOG.log(Level.SEVERE, "Presence query failed in session " + sessionId, failure);
                    send(ServerFrames.error(q.getRequestId(),
                            new ClientError(ErrorCode.INTERNAL, "internal error"), q.getRoom()));
                } else {
                    send(reply);
                }
            } finally {
                presenceQueriesInFlight.decrementAndGet();
            }
        });
    }

    private void onDirect(DirectMessage dm) {
        DirectMessageHandler handler = services.features().directMessages();
        Optional<ClientError> invalid = handler.validate(dm);
        if (invalid.isPresent()) {
            send(ServerFrames.error(dm.getRequestId(), invalid.get(), ""));
            return;
        }
        // Direct messages share the publish budget and the drain's wait for answers in flight.
        int max = services.settings().maxInflightPublishes();
        if (publishesInFlight.incrementAndGet() > max) {
            publishesInFlight.decrementAndGet();
            send(ServerFrames.error(dm.getRequestId(), new ClientError(ErrorCode.RATE_LIMITED,
                    "publishes in flight: " + max + " (expected: < " + max + "); wait for acks"), ""));
            return;
        }
        if (!services.admission().tryStartPublish()) {
            publishesInFlight.decrementAndGet();
            send(ServerFrames.error(dm.getRequestId(),
                    new ClientError(ErrorCode.UNAVAILABLE, "gateway is draining; reconnect and retry"), ""));
            return;
        }
        handler.send(dm, sender()).whenComplete((reply, failure) -> {
            try {
                if (failure != null) {
                    LOG.log(Level.SEVERE, "Direct message handling failed in session " + sessionId, failure);
                    send(ServerFrames.error(dm.getRequestId(), new ClientError(ErrorCode.INTERNAL, "internal error"), ""));
                } else {
                    send(reply);
                }
            } finally {
                publishesInFlight.decrementAndGet();
                services.admission().publishFinished();
            }
        });
    }

    private void onRefresh(RefreshToken refresh) {
        VerifiedToken token;
        try {
            token = services.verifier().verify(refresh.getToken());
        } catch (AuthException e) {
            // The connection keeps its old token (and is closed when that one expires).
            send(ServerFrames.invalidToken(refresh.getRequestId(), e.getMessage()));
            return;
        }
        if (!token.userId().equals(userId)) {
            send(ServerFrames.invalidToken(refresh.getRequestId(),
                    "sub: token names another user (expected: " + userId + ")"));
            return;
        }
        tokenExpiresAt = token.expiresAt();
        send(ServerFrame.newBuilder().setAck(Ack.newBuilder().setRequestId(refresh.getRequestId())).build());
    }

    /** Timer: closes with TOKEN_EXPIRED when the token expired at or before {@code cutoff}. */
    void closeIfExpired(Instant cutoff) {
        Instant exp = tokenExpiresAt;
        if (exp != null && state.get() == State.CONNECTED && !cutoff.isBefore(exp)) {
            close(ErrorCode.TOKEN_EXPIRED, "token expired; connect again with a fresh token");
        }
    }

    private void reportOpened(String client) {
        presenceLock.lock();
        try {
            if (!presenceClosed) {
                presenceOpened = true;
                services.features().presence().opened(sessionId, userId, client, services.clock().instant());
            }
        } finally {
            presenceLock.unlock();
        }
    }

    private void reportClosed() {
        presenceLock.lock();
        try {
            if (!presenceClosed) {
                presenceClosed = true;
                if (presenceOpened) {
                    services.features().presence().closed(sessionId);
                }
            }
        } finally {
            presenceLock.unlock();
        }
    }

    /** The authenticated user; empty before Connect. */
    public String userId() {
        return userId;
    }

    /** Signal thread: an ephemeral or presence event of a subscribed room; never held back by a resume. */
    @Override
    public void signal(FanoutMessage signal) {
        if (state.get() == State.CONNECTED) {
            enqueue(signal.encoded(subprotocol, codec::encode));
        }
    }

    @Override
    public boolean wantsPresence(String room) {
        return presenceRooms.contains(room);
    }

    /** Signal thread: a backend closed the room; the client gets Unsubscribed(0, room, ROOM_CLOSED, reason). */
    @Override
    public void roomClosed(String room, String reason) {
        if (state.get() != State.CONNECTED) {
            return;
        }
        Replay replay = replays.remove(room);
        if (replay != null) {
            replay.cancel();
        }
        services.subscriptions().unsubscribe(room, this);
        if (left(room)) {
            send(ServerFrame.newBuilder().setUnsubscribed(Unsubscribed.newBuilder()
                    .setRequestId(0)
                    .setRoom(room)
                    .setReason(ErrorCode.ROOM_CLOSED)
                    .setMessage(reason)).build());
        }
    }

    /** Signal thread: a frame for this connection's user (a UserMessage). */
    public void sendUserFrame(ServerFrame frame) {
        if (state.get() == State.CONNECTED) {
            send(frame);
        }
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
        return close(code.getNumber(), reason);
    }

    /**
     * {@link #close(ErrorCode, String)} with a numeric code: also an application code 4000-4999 chosen by a
     * backend's disconnect.
     */
    public boolean close(int code, String reason) {
        if (!closeStarted.compareAndSet(false, true)) {
            return false;
        }
        state.set(State.CLOSING);
        cancel(connectTimer);
        unsubscribeAll();
        reportClosed();
        boolean slow = code == ErrorCode.SLOW_CONSUMER_VALUE;
        services.metrics().closed(code);
        if (slow) {
            services.metrics().slowConsumer();
        }
        outbound.close(code, truncate(reason), slow);
        if (!transportClosed.get()) {
            abortTimer = services.timer().schedule(this::abortIfOpen,
                    services.settings().closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        LOG.fine(() -> "Session " + sessionId + " closing with " + code + ": " + reason);
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
        reportClosed();
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
        presenceRooms.clear();
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
