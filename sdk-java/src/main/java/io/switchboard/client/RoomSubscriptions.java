package io.switchboard.client;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.EphemeralEvent;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import io.switchboard.proto.client.v1.Unsubscribe;
import io.switchboard.proto.client.v1.Unsubscribed;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The client's room subscriptions: (re)subscribes on every connection, resuming from each room's
 * {@link RoomTracker}; drops repeats by position and by message id ({@link Deduplicator}); routes messages,
 * presence and ephemeral events to each room's listener; keeps each room's {@link TypingTracker} and, for rooms
 * subscribed with presence, its {@link MemberListTracker}.
 *
 * <p>Thread-safety: the room map is concurrent so {@link #add} can refuse a second subscription to a room at
 * once on the caller's thread; everything else runs on the event loop.
 *
 * <p>Size: the room map, the subscribe and resubscribe exchanges and the routing of each server frame to its room
 * decide together whether a frame belongs to the current subscription of a room, so they stay in one class; each
 * room's own state is in its trackers ({@link RoomTracker}, {@link TypingTracker}, {@link MemberListTracker}).
 */
final class RoomSubscriptions {
    private static final System.Logger LOG = System.getLogger(RoomSubscriptions.class.getName());

    private final ClientSettings settings;
    private final Scheduler loop;
    private final PendingRequests requests;
    private final ConnectionStateMachine connection;
    private final Backoff backoff;
    private final Consumer<String> onRoomGone;
    private final ServerSubscriptionListener serverSubscriptions;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Deduplicator dedup;
    private volatile SwitchboardException closed;
    private int connections; // event loop only: connections so far, to tell a retry on an earlier one

    RoomSubscriptions(ClientSettings settings, Scheduler loop, PendingRequests requests, ConnectionStateMachine connection,
                      Backoff backoff, Consumer<String> onRoomGone, ServerSubscriptionListener serverSubscriptions) {
        this.serverSubscriptions = serverSubscriptions;
        this.settings = settings;
        this.loop = loop;
        this.requests = requests;
        this.connection = connection;
        this.backoff = backoff;
        this.onRoomGone = onRoomGone;
        this.dedup = new Deduplicator(settings.dedupCapacity());
    }

    /** One room's subscription. Fields other than the final ones are event-loop only. */
    final class Room implements Subscription {
        private final String room;
        private final boolean presence;
        // Set once before any event of the room is delivered (a server-side subscription learns it from its listener).
        private RoomListener listener;
        private final CompletableFuture<Subscribed> ready = new CompletableFuture<>();
        private final CompletableFuture<Void> unsubscribed = new CompletableFuture<>();
        private final RoomTracker tracker = new RoomTracker();
        private final TypingTracker typing;
        private final MemberListTracker members;
        private volatile MemberList memberList;
        private boolean active; // subscribed on the current connection
        private int retries;
        private Scheduler.Cancellable typingTimer;

        Room(String room, boolean presence, RoomListener listener) {
            this.room = room;
            this.presence = presence;
            this.listener = listener;
            this.typing = new TypingTracker(settings.clock());
            this.memberList = MemberList.empty(room);
            this.members = presence ? new MemberListTracker(room, settings.memberListLimit(), new MemberSource(this), list -> {
                memberList = list;
                RoomSubscriptions.notify(this, () -> this.listener.onMembers(list));
            }) : null;
        }

        @Override
        public Optional<MemberList> members() {
            return presence ? Optional.of(memberList) : Optional.empty();
        }

        @Override
        public String room() {
            return room;
        }

        @Override
        public CompletableFuture<Subscribed> ready() {
            return ready;
        }

        @Override
        public CompletableFuture<Void> unsubscribe() {
            if (rooms.remove(room, this)) {
                loop.execute(() -> sendUnsubscribe(this));
            }
            return unsubscribed;
        }

        RoomTracker tracker() {
            return tracker;
        }

        @Override
        public String toString() {
            return "Subscription[" + room + "]";
        }
    }

    /** Registers a subscription; throws if the room already has one. Thread-safe. */
    Room add(String room, boolean presence, RoomListener listener) {
        return add(room, presence, listener, null);
    }

    /**
     * Registers a subscription that resumes from {@code from} on its first Subscribe (null: a plain subscribe);
     * throws if the room already has one. Thread-safe.
     */
    Room add(String room, boolean presence, RoomListener listener, ResumeFrom from) {
        Room created = new Room(room, presence, listener);
        if (from != null) {
            created.tracker.startAt(from); // before the room is visible to the event loop
        }
        if (rooms.putIfAbsent(room, created) != null) {
            throw new IllegalStateException("room: " + room + " (expected: not already subscribed; unsubscribe first)");
        }
        SwitchboardException cause = closed;
        if (cause != null) {
            rooms.remove(room, created);
            created.ready.completeExceptionally(cause);
            created.unsubscribed.complete(null);
            return created;
        }
        loop.execute(() -> sendSubscribe(created));
        return created;
    }

    boolean subscribed(String room) {
        return rooms.containsKey(room);
    }

    Room get(String room) {
        return rooms.get(room);
    }

    /** A new connection: every room subscribes again, resuming where its messages stopped. */
    void onConnected() {
        connections++;
        for (Room room : rooms.values()) {
            room.retries = 0;
            room.active = false;
            sendSubscribe(room);
        }
    }

    private void sendSubscribe(Room room) {
        if (rooms.get(room.room) != room || !connection.connected()) {
            return; // sent again on the next connection
        }
        Subscribe.Builder subscribe = Subscribe.newBuilder().setRoom(room.room).setPresence(room.presence);
        boolean resuming = room.tracker.resumeFrom().map(r -> {
            subscribe.setResumeFrom(r);
            return true;
        }).orElse(false);
        int requestId = requests.register(PendingRequests.of(frame -> answered(room, resuming, frame), () -> { }));
        connection.send(ClientFrame.newBuilder().setSubscribe(subscribe.setRequestId(requestId)).build());
    }

    private void answered(Room room, boolean resuming, ServerFrame frame) {
        if (rooms.get(room.room) != room) {
            return;
        }
        if (frame.hasSubscribed()) {
            Subscribed subscribed = frame.getSubscribed();
            room.tracker.onSubscribed(subscribed);
            room.retries = 0;
            room.active = true;
            room.ready.complete(subscribed);
            if (resuming && !subscribed.getRecovered()) {
                notify(room, () -> room.listener.onRecoveryFailure(subscribed.getRecoveryFailure()));
            }
            if (room.members != null) {
                room.members.reload(); // events may have been missed while not subscribed
            }
        } else if (frame.hasError() && frame.getError().getRetriable()) {
            // e.g. RECOVERY_UNAVAILABLE: the resume was not established; try the same resume again later, unless a
            // new connection subscribed meanwhile (a second Subscribe there would be refused as a duplicate).
            LOG.log(Level.DEBUG, () -> "subscribe " + room.room + " failed, retrying: " + frame.getError().getMessage());
            int connection = connections;
            loop.schedule(() -> {
                if (connection == connections && !room.active) {
                    sendSubscribe(room);
                }
            }, backoff.delay(room.retries++));
        } else {
            SwitchboardException error = frame.hasError() ? SwitchboardException.of(frame.getError())
                    : new SwitchboardException(ErrorCode.INTERNAL.getNumber(), "unexpected answer: " + frame.getFrameCase(), false, room.room);
            end(room, ErrorCode.forNumber(error.code()), error.getMessage());
            room.ready.completeExceptionally(error);
        }
    }

    private void sendUnsubscribe(Room room) {
        stopTyping(room);
        stopMembers(room);
        onRoomGone.accept(room.room);
        if (!connection.connected()) {
            room.unsubscribed.complete(null);
            return;
        }
        int requestId = requests.register(PendingRequests.of(frame -> room.unsubscribed.complete(null), () -> room.unsubscribed.complete(null)));
        connection.send(ClientFrame.newBuilder().setUnsubscribe(Unsubscribe.newBuilder().setRequestId(requestId).setRoom(room.room)).build());
        room.ready.completeExceptionally(new SwitchboardException(ErrorCode.ERROR_CODE_UNSPECIFIED.getNumber(), "unsubscribed", false, room.room));
    }

    /** Delivers a message unless it was already delivered (same room/epoch and below the next position, or same id). */
    void onMessage(Message message) {
        Room room = rooms.get(message.getRoom());
        if (room == null || room.tracker.alreadyProcessed(message)) {
            return;
        }
        if (!dedup.firstTime(message.getRoom(), message.getSender(), message.getId())) {
            return;
        }
        room.tracker.onProcessed(message);
        notify(room, () -> room.listener.onMessage(message));
    }

    void onPresence(PresenceEvent event) {
        Room room = rooms.get(event.getRoom());
        if (room != null) {
            notify(room, () -> room.listener.onPresence(event));
            if (room.members != null) {
                room.members.onEvent(event);
            }
        }
    }

    void onEphemeral(EphemeralEvent event) {
        Room room = rooms.get(event.getRoom());
        if (room == null) {
            return;
        }
        notify(room, () -> room.listener.onEphemeral(event));
        if (TypingTracker.KIND.equals(event.getKind()) && room.typing.apply(event)) {
            notify(room, () -> room.listener.onTyping(room.typing.users()));
        }
        scheduleTypingExpiry(room);
    }

    private void scheduleTypingExpiry(Room room) {
        if (room.typingTimer != null) {
            room.typingTimer.cancel();
            room.typingTimer = null;
        }
        room.typing.untilNextExpiry().ifPresent(delay -> room.typingTimer = loop.schedule(() -> {
            if (rooms.get(room.room) == room && room.typing.expire()) {
                notify(room, () -> room.listener.onTyping(room.typing.users()));
            }
            if (rooms.get(room.room) == room) {
                scheduleTypingExpiry(room);
            }
        }, delay));
    }

    private static void stopTyping(Room room) {
        if (room.typingTimer != null) {
            room.typingTimer.cancel();
            room.typingTimer = null;
        }
    }

    /**
     * A backend subscribed this connection (Subscribed with request id 0 and server_side): the room is held from now
     * on like one the application subscribed, with the listener the application's {@link ServerSubscriptionListener}
     * gives (none set: its events are dropped, and the application may still unsubscribe it). A room already held
     * stays as it is.
     */
    void onServerSubscribed(Subscribed subscribed) {
        Room room = new Room(subscribed.getRoom(), subscribed.getPresence(), message -> { });
        if (rooms.putIfAbsent(room.room, room) != null) {
            return;
        }
        room.tracker.onSubscribed(subscribed);
        room.active = true;
        room.ready.complete(subscribed);
        if (serverSubscriptions == null) {
            LOG.log(Level.INFO, () -> "a backend subscribed this client to " + room.room
                    + " and no ServerSubscriptionListener is set: its events are dropped");
        } else {
            notify(room, () -> {
                RoomListener listener = serverSubscriptions.onServerSubscribed(room, subscribed);
                if (listener != null) {
                    room.listener = listener;
                }
            });
        }
        if (room.members != null) {
            room.members.reload(); // a backend's subscription with presence keeps its member list like any other
        }
    }

    /** The server ended a subscription (request_id 0: ROOM_CLOSED, PERMISSION_REVOKED, SERVER_UNSUBSCRIBED). */
    void onServerUnsubscribed(Unsubscribed unsubscribed) {
        Room room = rooms.get(unsubscribed.getRoom());
        if (room != null) {
            end(room, unsubscribed.getReason(), unsubscribed.getMessage());
            room.ready.completeExceptionally(new SwitchboardException(unsubscribed.getReasonValue(), unsubscribed.getMessage(), false, room.room));
        }
    }

    private void end(Room room, ErrorCode reason, String message) {
        if (rooms.remove(room.room, room)) {
            stopTyping(room);
            stopMembers(room);
            onRoomGone.accept(room.room);
            room.unsubscribed.complete(null);
            notify(room, () -> room.listener.onClosed(reason, message));
        }
    }

    /** The client closed: every subscription ends. */
    void close(SwitchboardException cause) {
        closed = cause;
        for (Room room : rooms.values()) {
            rooms.remove(room.room, room);
            stopTyping(room);
            stopMembers(room);
            room.ready.completeExceptionally(cause);
            room.unsubscribed.complete(null);
        }
    }

    private static void stopMembers(Room room) {
        if (room.members != null) {
            room.members.stop();
        }
    }

    /** A room's member reads: PresenceQuery frames on the current connection, bounded by the request timeout. */
    private final class MemberSource implements MemberListTracker.Source {
        private final Room room;

        MemberSource(Room room) {
            this.room = room;
        }

        @Override
        public void read(int limit, MemberListTracker.Answer answer) {
            if (!connection.connected()) {
                answer.failed(new SwitchboardException(ErrorCode.UNAVAILABLE, "not connected", true));
                return;
            }
            Scheduler.Cancellable[] timeout = new Scheduler.Cancellable[1];
            int requestId = requests.register(PendingRequests.of(frame -> {
                timeout[0].cancel();
                if (frame.hasPresencePage()) {
                    answer.page(frame.getPresencePage());
                } else if (frame.hasError()) {
                    answer.failed(SwitchboardException.of(frame.getError()));
                } else {
                    answer.failed(new SwitchboardException(ErrorCode.INTERNAL, "unexpected answer " + frame.getFrameCase(), false));
                }
            }, () -> {
                timeout[0].cancel();
                // The next Subscribed reads again.
                answer.failed(new SwitchboardException(ErrorCode.UNAVAILABLE, "connection lost", true));
            }));
            timeout[0] = loop.schedule(() -> {
                requests.forget(requestId);
                answer.failed(new SwitchboardException(ErrorCode.TIMEOUT, "no member page within " + settings.requestTimeout(), true));
            }, settings.requestTimeout());
            connection.send(ClientFrame.newBuilder().setPresence(PresenceQuery.newBuilder().setRequestId(requestId)
                    .setRoom(room.room).setLimit(limit)).build());
        }

        @Override
        public boolean subscribed() {
            return connection.connected() && rooms.get(room.room) == room && room.active;
        }

        @Override
        public Duration retryDelay(int attempt) {
            return backoff.delay(attempt);
        }

        @Override
        public Scheduler.Cancellable schedule(Runnable task, Duration delay) {
            return loop.schedule(task, delay);
        }
    }

    private static void notify(Room room, Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "listener of " + room + " failed", e);
        }
    }
}
