package io.switchboard.gateway.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.gateway.fanout.FanoutMessage;
import io.switchboard.gateway.fanout.LiveHandOver;
import io.switchboard.gateway.fanout.Subscriber;
import io.switchboard.gateway.fanout.SubscriptionRegistry;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.gateway.ws.OutboundFrame;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.RecoveryFailure;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Unsubscribe;
import io.switchboard.proto.client.v1.Unsubscribed;
import io.switchboard.roomlog.RoomLogTopic;

/**
 * The rooms one session subscribes to, and the session as the fan-out's {@link Subscriber} of them. Subscribe
 * (without {@code resume_from}; see {@link ResumeHandOver}) registers at the fan-out's hand-over point before
 * replying, so anything stored after the client reads Subscribed is delivered (a message may arrive just before
 * its Subscribed, never be lost after it), and Subscribed tells the client where its stream starts. A backend's
 * SubscribeUser does the same with request id 0 and {@code server_side}, and the room is remembered as granted
 * by the server. Unsubscribe, a backend's room close or UnsubscribeUser, and a refreshed token that no longer
 * allows the room end a subscription (and a resume in progress). Joining and leaving are reported to presence;
 * live messages of a room whose resume is replaying go to its {@link Replay} instead of the client. Permissions
 * are checked before these calls ({@link SubscriptionRequests}).
 *
 * <p>Threads: subscribe and unsubscribe run as the connection's requests ({@link RequestLane}), {@link #deliver}
 * on the fan-out thread, {@link #signal} and {@link #roomClosed} on the signal consumer's thread, resume
 * completions on gRPC threads, {@link #clear} on whichever thread closes the session. Thread-safe: the room sets
 * and the replays are concurrent collections, and {@link #clear} flips a volatile flag before emptying them so
 * that a registration racing it is undone. The collections are made on the first subscription (see {@link RoomSets}).
 */
final class RoomSubscriptions implements Subscriber {
    private final String sessionId;
    private final SessionOutput output;
    private final SubscriptionRegistry registry;
    private final LiveHandOver handOver;
    private final RoomLogTopic layout;
    private final SessionPresence presence;
    private final int maxSubscriptions;
    // null until the first subscription: then set once (compare-and-set), never unset.
    private volatile RoomSets sets;
    // Set before the first replay is put and never cleared: most sessions never resume, and for them the fan-out
    // thread skips the map lookup per delivery (a profiled cost at 50k deliveries/s). A reader that sees false is
    // ordered before that put, as a lookup that missed it would be.
    private volatile boolean everReplayed;
    private volatile boolean cleared;
    // null: no namespace is conflated (the common case costs nothing per delivery)
    private final Conflator conflator;

    private static final VarHandle SETS;

    static {
        try {
            SETS = MethodHandles.lookup().findVarHandle(RoomSubscriptions.class, "sets", RoomSets.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The collections of a session that subscribed at least once. Many connections never subscribe (an idle or
     * publish-only client), and four empty concurrent collections cost about 330 bytes per connection, so they are
     * made together on the first subscription or resume.
     */
    private static final class RoomSets {
        final Set<String> rooms = ConcurrentHashMap.newKeySet();
        // Rooms subscribed with presence=true (a subset of rooms).
        final Set<String> presenceRooms = ConcurrentHashMap.newKeySet();
        // Rooms a backend subscribed this session to (SubscribeUser); a refresh does not re-check them.
        final Set<String> serverRooms = ConcurrentHashMap.newKeySet();
        // Rooms whose resume is replaying (or just turned live).
        final ConcurrentHashMap<String, Replay> replays = new ConcurrentHashMap<>();
    }

    /** The collections, made on the first call (by whichever thread wins; the others use its). */
    private RoomSets sets() {
        RoomSets current = sets;
        if (current != null) {
            return current;
        }
        RoomSets made = new RoomSets();
        RoomSets witness = (RoomSets) SETS.compareAndExchange(this, null, made);
        return witness == null ? made : witness;
    }

    /**
     * @param registry         room to local subscribers (for leaving)
     * @param handOver         registers a subscription atomically with the fan-out (for joining)
     * @param layout           the rooms topic, for each room's epoch
     * @param maxSubscriptions rooms one connection may subscribe to
     * @param conflator        holds back the live messages of conflated rooms; null when no namespace is conflated
     */
    RoomSubscriptions(String sessionId, SessionOutput output, SubscriptionRegistry registry, LiveHandOver handOver,
                      RoomLogTopic layout, SessionPresence presence, int maxSubscriptions, Conflator conflator) {
        this.sessionId = sessionId;
        this.output = output;
        this.registry = registry;
        this.handOver = handOver;
        this.layout = layout;
        this.presence = presence;
        this.maxSubscriptions = maxSubscriptions;
        this.conflator = conflator;
    }

    /** Why a Subscribe to {@code room} is refused (bad name, too many rooms), or empty. */
    Optional<ClientError> refusal(String room) {
        Optional<String> problem = Names.clientRoomProblem(room);
        if (problem.isPresent()) {
            return Optional.of(new ClientError(ErrorCode.INVALID_ROOM, problem.get()));
        }
        RoomSets current = sets;
        int subscribed = current == null ? 0 : current.rooms.size();
        if (subscribed >= maxSubscriptions && (current == null || !current.rooms.contains(room))) {
            return Optional.of(new ClientError(ErrorCode.TOO_MANY_SUBSCRIPTIONS,
                    "subscriptions: " + (subscribed + 1) + " (expected: <= " + maxSubscriptions + ")"));
        }
        return Optional.empty();
    }

    /** Subscribes without a resume: registers, then answers Subscribed with the room's epoch and start. */
    void subscribe(Subscribe sub) {
        String room = sub.getRoom();
        join(room, sub.getPresence());
        OptionalLong liveFrom = register(room);
        if (liveFrom.isEmpty()) {
            return;
        }
        output.send(ServerFrames.subscribed(sub, epochOf(room), false, RecoveryFailure.RECOVERY_FAILURE_UNSPECIFIED,
                0, liveFrom.getAsLong()));
    }

    /**
     * A backend's SubscribeUser: subscribes like {@link #subscribe} and answers Subscribed with request id 0 and
     * {@code server_side}. A room already subscribed keeps its subscription as it is (and is now also granted by
     * the server); nothing is sent then.
     */
    void serverSubscribe(String room, boolean wantsPresence) {
        RoomSets current = sets();
        current.serverRooms.add(room);
        if (current.rooms.contains(room)) {
            return;
        }
        join(room, wantsPresence);
        OptionalLong liveFrom = register(room);
        if (liveFrom.isPresent()) {
            output.send(ServerFrames.serverSubscribed(room, epochOf(room), liveFrom.getAsLong(), wantsPresence));
        }
    }

    /** Unsubscribes (idempotent); a resume in progress ends here and its Subscribe gets no reply of its own. */
    void unsubscribe(Unsubscribe unsub) {
        String room = unsub.getRoom();
        Optional<String> problem = Names.roomProblem(room);
        if (problem.isPresent()) {
            output.send(ServerFrames.error(unsub.getRequestId(), new ClientError(ErrorCode.INVALID_ROOM, problem.get()),
                    room));
            return;
        }
        stop(room);
        left(room);
        output.send(ServerFrame.newBuilder().setUnsubscribed(Unsubscribed.newBuilder()
                .setRequestId(unsub.getRequestId())
                .setRoom(room)).build());
    }

    /** True while subscribed to {@code room} (also while its resume replays). */
    boolean contains(String room) {
        RoomSets current = sets;
        return current != null && current.rooms.contains(room);
    }

    /** The subscribed rooms now (a copy), for re-checking them. */
    List<String> held() {
        RoomSets current = sets;
        return current == null ? List.of() : List.copyOf(current.rooms);
    }

    /** True when a backend's SubscribeUser granted {@code room} to this session. */
    boolean grantedByServer(String room) {
        RoomSets current = sets;
        return current != null && current.serverRooms.contains(room);
    }

    /** The epoch of the log {@code room} lives in. */
    String epochOf(String room) {
        return layout.epochOf(room);
    }

    /** Adds {@code room} with its presence flag; presence hears of it when it is new. */
    void join(String room, boolean wantsPresence) {
        RoomSets current = sets();
        if (wantsPresence) {
            current.presenceRooms.add(room);
        } else {
            current.presenceRooms.remove(room);
        }
        if (current.rooms.add(room)) {
            presence.joined(room);
            if (conflator != null) {
                conflator.track(room);
            }
        }
    }

    /**
     * Registers with the fan-out at its hand-over point.
     *
     * @return the position the room's live stream starts at, or empty when the session was cleared meanwhile
     *         (the registration is then undone and nothing must be sent)
     */
    OptionalLong register(String room) {
        long liveFrom = handOver.subscribeAt(room, this);
        if (cleared) {
            // clear() may have run between the join and the registration; undo so the registry does not keep us.
            clear();
            return OptionalLong.empty();
        }
        return OptionalLong.of(liveFrom);
    }

    /** Routes {@code room}'s live messages to {@code replay} until it is finished or cancelled. */
    void replayInto(String room, Replay replay) {
        RoomSets current = sets();
        everReplayed = true;
        current.replays.put(room, replay);
    }

    /** The replay of {@code room} is over (finished): live messages go to the client again. */
    void replayDone(String room, Replay replay) {
        RoomSets current = sets;
        if (current != null) {
            current.replays.remove(room, replay);
        }
    }

    /** Ends a subscription whose resume failed: leaves the room and unregisters. */
    void abandon(String room, Replay replay) {
        replayDone(room, replay);
        left(room);
        registry.unsubscribe(room, this);
    }

    /**
     * The server ends a subscription: the client gets Unsubscribed(0, room, reason, message) when it was
     * subscribed, and no further message of the room.
     */
    void end(String room, ErrorCode reason, String message) {
        if (cleared) {
            return;
        }
        stop(room);
        if (left(room)) {
            output.send(ServerFrame.newBuilder().setUnsubscribed(Unsubscribed.newBuilder()
                    .setRequestId(0)
                    .setRoom(room)
                    .setReason(reason)
                    .setMessage(message)).build());
        }
    }

    /** Stops the room's deliveries: unregisters, cancels its replay, forgets the server's grant. */
    private void stop(String room) {
        registry.unsubscribe(room, this);
        RoomSets current = sets;
        if (current == null) {
            return;
        }
        Replay replay = current.replays.remove(room);
        if (replay != null) {
            replay.cancel();
        }
        current.serverRooms.remove(room);
    }

    /** Ends every subscription without telling presence room by room (the session's close covers them). */
    void clear() {
        cleared = true;
        if (conflator != null) {
            conflator.clear();
        }
        // A join racing this read makes the collections after it, and its registration sees cleared and clears again.
        RoomSets current = sets;
        if (current == null) {
            return;
        }
        for (Replay replay : List.copyOf(current.replays.values())) {
            replay.cancel();
        }
        current.replays.clear();
        current.presenceRooms.clear();
        current.serverRooms.clear();
        for (String room : List.copyOf(current.rooms)) {
            current.rooms.remove(room);
            registry.unsubscribe(room, this);
        }
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    /** Fan-out thread: queues a room message (or hands it to the room's replay); never blocks. */
    @Override
    public void deliver(FanoutMessage message) {
        if (cleared) {
            return;
        }
        OutboundFrame frame = output.encode(message);
        // everReplayed is written after sets is set: a reader that sees true sees the collections.
        Replay replay = everReplayed ? sets.replays.get(message.room()) : null;
        if (replay != null
                && replay.offer(message.frame().getMessage().getPosition(), frame) == Replay.Offer.HANDLED) {
            return; // held for the replay (or re-read from history later); LIVE: the replay is over, write as usual
        }
        if (conflator == null
                || !conflator.offer(message.room(), message.frame().getMessage().getConflationKey(), frame)) {
            output.enqueue(frame);
        }
    }

    /** Signal thread: an ephemeral or presence event of a subscribed room; never held back by a resume. */
    @Override
    public void signal(FanoutMessage signal) {
        if (!cleared) {
            output.enqueue(output.encode(signal));
        }
    }

    @Override
    public boolean wantsPresence(String room) {
        RoomSets current = sets;
        return current != null && current.presenceRooms.contains(room);
    }

    /** Signal thread: a backend closed the room; the client gets Unsubscribed(0, room, ROOM_CLOSED, reason). */
    @Override
    public void roomClosed(String room, String reason) {
        end(room, ErrorCode.ROOM_CLOSED, reason);
    }

    /** Removes {@code room}; presence hears of it when it was there. True if it was. */
    private boolean left(String room) {
        if (conflator != null) {
            conflator.forget(room);
        }
        RoomSets current = sets;
        if (current == null) {
            return false;
        }
        current.presenceRooms.remove(room);
        if (current.rooms.remove(room)) {
            presence.left(room);
            return true;
        }
        return false;
    }
}
