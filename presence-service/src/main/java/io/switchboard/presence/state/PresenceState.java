package io.switchboard.presence.state;

import com.google.protobuf.Timestamp;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.Connection;
import io.switchboard.proto.internal.v1.ConnectionState;
import io.switchboard.proto.internal.v1.GatewayConnectionsResponse;
import io.switchboard.proto.internal.v1.PresenceChange;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.proto.internal.v1.ReportRequest;
import io.switchboard.proto.internal.v1.RoomCount;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.SyncRequest;
import io.switchboard.proto.internal.v1.UserPresence;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The in-memory presence model: gateways (incarnation, lease deadline, last seq) hold connections, connections
 * are subscribed to rooms; indexes room -> user -> devices and user -> connections answer queries without
 * scanning. Changes are noted in a {@link DeltaBatcher} and leave through {@link #drainDeltas()}.
 *
 * <p>Requests are assumed valid (the gRPC layer validates them first); this class only decides what they mean
 * for the state. Leases run on the injected clock: a gateway whose deadline passed is removed by
 * {@link #expireLeases()} (or by its own late report), and all of its connections go offline at once.
 *
 * <p><b>Versions.</b> Every flush that writes room records takes the next number of a counter that starts at 0
 * with each instance, whose random {@link #epoch()} tells one run from another; a room's record moves it from
 * the version of its previous record to that number. Member pages show each room as of its last record (the
 * batcher keeps the members it changed since), never a half-applied interval.
 *
 * <p><b>Leave grace.</b> When a connection closes (the client went, or its gateway restarted or lost it in a
 * Sync), a user who thereby loses their last connection in a room stays a member of it, counted as one
 * device, for {@code leaveGrace}; a connection of theirs that subscribes again meanwhile takes over without any
 * visible change. So a reload, a network switch or a drain keeps the user a member throughout. An unsubscribe
 * and an expired lease take effect at once.
 *
 * <p><b>Warm-up.</b> A new instance knows nothing until every gateway has synced, which each does within a third
 * of the lease; for {@code warmUp} after it starts, {@link #drainDeltas()} holds its records back and
 * {@link #warmingUp()} tells callers to refuse member pages, so that clients keep the lists they have instead of
 * seeing a room refill gateway by gateway.
 *
 * <p>Thread-safe: every method takes one lock for its whole run. Nothing blocking happens under it (no I/O,
 * no Kafka), and every operation costs O(log n) per change, so one lock carries well over 10,000 joins/s;
 * it also makes a Sync atomic for readers and for the delta batcher.
 *
 * <p>Size: the gateways, connections, room and user indexes, leases, leave graces and the warm-up change together
 * under that one lock, which is what keeps every Sync, delta and member page consistent; the parts that need no
 * lock are apart ({@link DeltaBatcher}, {@code GatewayEntry}, {@code RoomEntry}, {@code UserEntry}).
 */
public final class PresenceState {
    /** What a Report did; every outcome but APPLIED and DUPLICATE asks the gateway to resync. */
    public enum Outcome {
        /** Applied; the lease is renewed. */
        APPLIED(false),
        /** The same seq as the last applied report (a retry whose answer was lost): acknowledged, not reapplied. */
        DUPLICATE(false),
        /** No state for this gateway id (service restarted, lease reaped, or never synced). */
        UNKNOWN_GATEWAY(true),
        /** Another incarnation was known: its state was dropped (the gateway restarted). */
        NEW_INCARNATION(true),
        /** The lease had passed: the state was dropped. */
        LEASE_EXPIRED(true),
        /** A report was lost (seq is not last + 1): the state is kept until the Sync replaces it. */
        SEQ_GAP(true),
        /** An earlier report got resync_required and no Sync came yet. */
        AWAITING_SYNC(true);

        private final boolean resyncRequired;

        Outcome(boolean resyncRequired) {
            this.resyncRequired = resyncRequired;
        }

        public boolean resyncRequired() {
            return resyncRequired;
        }
    }

    /** Sizes of the model, for metrics; {@code users} are those online (with a connection). */
    public record Counts(long gateways, long connections, long users, long rooms) {
    }

    /**
     * @param leaseTtl           how long a gateway's state lives without a Report or Sync
     * @param leaveGrace         how long a user whose connection closed stays a member; zero: no grace
     * @param warmUp             how long after the start records are held back and pages refused
     * @param largeRoomThreshold rooms with more users get summary records
     * @param maxDeltaMembers    deltas with more changed members become summaries
     */
    public record Settings(Duration leaseTtl, Duration leaveGrace, Duration warmUp, int largeRoomThreshold,
                           int maxDeltaMembers) {
        public Settings {
            Objects.requireNonNull(leaseTtl, "leaseTtl");
            Objects.requireNonNull(leaveGrace, "leaveGrace");
            Objects.requireNonNull(warmUp, "warmUp");
            if (leaveGrace.isNegative() || warmUp.isNegative()) {
                throw new IllegalArgumentException("leaveGrace, warmUp: " + leaveGrace + ", " + warmUp + " (expected: >= 0)");
            }
        }
    }

    /** A user whose connection closed: kept in {@code rooms} (and as a user entry, if now offline) until the deadline. */
    private record Linger(Instant deadline, String userId, List<String> rooms) {
    }

    private final InstantSource clock;
    private final Duration leaseTtl;
    private final Duration leaveGrace;
    private final Instant warmUpEnd;
    private final String epoch;
    private final ReentrantLock lock = new ReentrantLock();
    // @GuardedBy("lock")
    private final Map<String, GatewayEntry> gateways = new HashMap<>();
    // @GuardedBy("lock")
    private final Map<String, UserEntry> users = new HashMap<>();
    // @GuardedBy("lock")
    private final Map<String, RoomEntry> rooms = new HashMap<>();
    // @GuardedBy("lock")
    private final DeltaBatcher batcher;
    // @GuardedBy("lock")
    private long connectionCount;
    // @GuardedBy("lock"): users with a connection
    private long onlineUsers;
    // @GuardedBy("lock"): the version of the last flush that wrote room records
    private long version;
    // @GuardedBy("lock"): in deadline order (the clock only moves forward and the grace is fixed)
    private final ArrayDeque<Linger> lingers = new ArrayDeque<>();
    private final DeltaBatcher.View view = new StateView();

    /** A model without leave grace or warm-up (tests of the other rules). */
    public PresenceState(InstantSource clock, Duration leaseTtl, int largeRoomThreshold, int maxDeltaMembers) {
        this(clock, new Settings(leaseTtl, Duration.ZERO, Duration.ZERO, largeRoomThreshold, maxDeltaMembers));
    }

    public PresenceState(InstantSource clock, Settings settings) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leaseTtl = settings.leaseTtl();
        this.leaveGrace = settings.leaveGrace();
        this.warmUpEnd = clock.instant().plus(settings.warmUp());
        this.batcher = new DeltaBatcher(settings.largeRoomThreshold(), settings.maxDeltaMembers());
        this.epoch = newEpoch();
    }

    /** This instance's run: versions compare only within one epoch. */
    public String epoch() {
        return epoch;
    }

    /** True during the warm-up after the start: member pages would show a room only partly rebuilt. */
    public boolean warmingUp() {
        return clock.instant().isBefore(warmUpEnd);
    }

    /** Applies one gateway's batch if it continues what is known; see {@link Outcome}. */
    public Outcome report(ReportRequest request) {
        lock.lock();
        try {
            Instant now = clock.instant();
            GatewayEntry gateway = gateways.get(request.getGatewayId());
            if (gateway == null) {
                return Outcome.UNKNOWN_GATEWAY;
            }
            if (!gateway.incarnation.equals(request.getIncarnation())) {
                // One process per gateway id: a new incarnation means the old process and its connections are gone;
                // their clients are reconnecting (to it or another gateway), so the leave grace applies.
                dropGateway(gateway, true);
                return Outcome.NEW_INCARNATION;
            }
            if (!now.isBefore(gateway.leaseDeadline)) {
                dropGateway(gateway, false);
                return Outcome.LEASE_EXPIRED;
            }
            if (gateway.awaitingSync) {
                return Outcome.AWAITING_SYNC;
            }
            if (request.getSeq() == gateway.lastSeq) {
                gateway.leaseDeadline = now.plus(leaseTtl);
                return Outcome.DUPLICATE;
            }
            if (request.getSeq() != gateway.lastSeq + 1) {
                // The lease is not renewed: a gateway that never syncs expires.
                gateway.awaitingSync = true;
                return Outcome.SEQ_GAP;
            }
            for (PresenceChange change : request.getChangesList()) {
                apply(gateway, change);
            }
            gateway.lastSeq = request.getSeq();
            gateway.leaseDeadline = now.plus(leaseTtl);
            return Outcome.APPLIED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replaces what is known about the gateway with its snapshot, as one atomic change: only the differences
     * become deltas. A user that was offline before takes the status the snapshot gives (the last connection
     * listed wins); a user already online elsewhere keeps the status known here (last writer wins, and the
     * snapshot's copy is not newer).
     */
    public void sync(SyncRequest request) {
        lock.lock();
        try {
            Instant now = clock.instant();
            GatewayEntry gateway = gateways.computeIfAbsent(request.getGatewayId(),
                    id -> new GatewayEntry(id, request.getIncarnation(), now));
            gateway.incarnation = request.getIncarnation();
            Map<String, ConnectionState> wanted = new LinkedHashMap<>();
            Map<String, ConnectionState> statusOfNewUsers = new HashMap<>();
            for (ConnectionState c : request.getConnectionsList()) {
                wanted.put(c.getSessionId(), c);
                if (!users.containsKey(c.getUserId())) {
                    statusOfNewUsers.put(c.getUserId(), c);
                }
            }
            // Open and update first, close last: a user moving between sessions stays online throughout.
            for (ConnectionState c : wanted.values()) {
                Conn conn = gateway.connections.get(c.getSessionId());
                if (conn != null && !conn.userId.equals(c.getUserId())) {
                    closeConnection(gateway, conn, true);
                    conn = null;
                }
                if (conn == null) {
                    conn = openConnection(gateway, c.getSessionId(), c.getUserId(), c.getClient(), c.getOpenedTime());
                } else {
                    conn.client = c.getClient();
                    conn.openedTime = c.getOpenedTime();
                }
                Set<String> rooms = new TreeSet<>(c.getRoomsList());
                for (String room : List.copyOf(conn.rooms)) {
                    if (!rooms.contains(room)) {
                        leaveRoom(conn, room, null);
                    }
                }
                for (String room : rooms) {
                    joinRoom(conn, room);
                }
            }
            for (Conn conn : List.copyOf(gateway.connections.values())) {
                if (!wanted.containsKey(conn.sessionId)) {
                    closeConnection(gateway, conn, true);
                }
            }
            statusOfNewUsers.forEach((userId, c) -> setStatus(users.get(userId), c.getStatus(), c.getStatusText()));
            gateway.lastSeq = request.getSeq();
            gateway.awaitingSync = false;
            gateway.leaseDeadline = now.plus(leaseTtl);
        } finally {
            lock.unlock();
        }
    }

    /** Removes every gateway whose lease has passed; its connections go offline at once. Returns how many. */
    public int expireLeases() {
        lock.lock();
        try {
            Instant now = clock.instant();
            List<GatewayEntry> expired = gateways.values().stream()
                    .filter(g -> !now.isBefore(g.leaseDeadline))
                    .toList();
            expired.forEach(g -> dropGateway(g, false));
            return expired.size();
        } finally {
            lock.unlock();
        }
    }

    /** Ends the leave grace of members and users whose deadline passed: they leave. Returns how many users left rooms. */
    public int expireLeaveGraces() {
        lock.lock();
        try {
            Instant now = clock.instant();
            int expired = 0;
            while (!lingers.isEmpty() && !now.isBefore(lingers.peekFirst().deadline())) {
                Linger linger = lingers.pollFirst();
                UserEntry user = users.get(linger.userId());
                for (String room : linger.rooms()) {
                    RoomEntry entry = rooms.get(room);
                    // A later close may have renewed the grace, or a connection taken the device over: then not yet.
                    if (entry != null && linger.deadline().equals(entry.lingering.get(linger.userId()))) {
                        noteRoom(room, linger.userId(), entry);
                        entry.lingering.remove(linger.userId());
                        entry.devices.remove(linger.userId());
                        entry.connections--;
                        user.lingeringRooms.remove(room);
                        expired++;
                    }
                }
                if (user != null) {
                    removeIfGone(user, now);
                }
            }
            return expired;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The records for what changed since the last call: one per changed room (versioned), one per changed user.
     * Nothing during the warm-up: the changes keep gathering until it ends.
     */
    public List<PresenceRecord> drainDeltas() {
        lock.lock();
        try {
            Instant now = clock.instant();
            if (now.isBefore(warmUpEnd)) {
                return List.of();
            }
            List<PresenceRecord> records = batcher.flush(now, view, epoch, version + 1);
            if (records.stream().anyMatch(PresenceRecord::hasRoom)) {
                version++;
            }
            return records;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A room record was not written (Kafka refused it): the room's next flush writes a record even if nothing
     * changes, whose {@code from_version} tells the clients that missed the lost one to read their list again.
     */
    public void recordLost(PresenceRecord record) {
        if (!record.hasRoom()) {
            return; // user records only drop routers' cached lookups early; the cache's ttl still bounds them
        }
        lock.lock();
        try {
            batcher.force(record.getRoom().getRoom());
        } finally {
            lock.unlock();
        }
    }

    /**
     * This instance became the owner of some rooms and users (presence.shards): their next flush writes a record for
     * each, changed or not, so that clients holding a list of the previous owner see this instance's epoch and read
     * their list again, and routers drop their cached lookups. {@code taken} selects the rooms and users of the model
     * (the live ones); {@code alsoRooms} and {@code alsoUsers} add ones that changed while another instance owned them
     * and may have vanished from the model since (a room that emptied, a user gone offline): their record says so.
     */
    public void forceRecords(Predicate<String> taken, Collection<String> alsoRooms, Collection<String> alsoUsers) {
        lock.lock();
        try {
            rooms.keySet().stream().filter(taken).forEach(batcher::force);
            users.keySet().stream().filter(taken).forEach(batcher::forceUser);
            alsoRooms.forEach(batcher::force);
            alsoUsers.forEach(batcher::forceUser);
        } finally {
            lock.unlock();
        }
    }

    /**
     * One page of the room's members after {@code afterUser} (exclusive; "" for the first page), as of the room's
     * last record: its {@code version} plus the records after it are the whole truth.
     */
    public RoomMembersResponse roomMembers(String room, String afterUser, int limit) {
        lock.lock();
        try {
            RoomMembersResponse.Builder response = RoomMembersResponse.newBuilder().setEpoch(epoch);
            RoomEntry entry = rooms.get(room);
            if (entry == null) {
                return response.build();
            }
            // The live members, except those changed since the last flush, shown as they were then.
            return RoomPage.asOfLastRecord(response, entry, batcher.roomBefore(room), afterUser, limit,
                    userId -> member(users.get(userId), entry.devices.get(userId)));
        } finally {
            lock.unlock();
        }
    }

    /** The room's user and connection counts (zero for an unknown room). */
    public RoomCount roomCount(String room) {
        lock.lock();
        try {
            RoomEntry entry = rooms.get(room);
            RoomCount.Builder count = RoomCount.newBuilder().setRoom(room);
            if (entry != null) {
                count.setUsers(entry.devices.size()).setConnections(entry.connections);
            }
            return count.build();
        } finally {
            lock.unlock();
        }
    }

    /** The user's status and connections; OFFLINE without connections when unknown. */
    public UserPresence userPresence(String userId) {
        lock.lock();
        try {
            return userRecord(userId, true);
        } finally {
            lock.unlock();
        }
    }

    /** One page of the gateway's connections after {@code afterSession} (exclusive), by session id. */
    public GatewayConnectionsResponse gatewayConnections(String gatewayId, String afterSession, int limit) {
        lock.lock();
        try {
            GatewayConnectionsResponse.Builder response = GatewayConnectionsResponse.newBuilder();
            GatewayEntry gateway = gateways.get(gatewayId);
            if (gateway == null) {
                return response.build();
            }
            Iterator<Conn> it = gateway.connections.tailMap(afterSession, false).values().iterator();
            String last = "";
            while (it.hasNext() && response.getConnectionsCount() < limit) {
                Conn conn = it.next();
                response.addConnections(connection(conn, true));
                last = conn.sessionId;
            }
            boolean hasMore = it.hasNext();
            return response.setHasMore(hasMore).setNextAfterSession(hasMore ? last : "").build();
        } finally {
            lock.unlock();
        }
    }

    /** Current sizes (a consistent snapshot). */
    public Counts counts() {
        lock.lock();
        try {
            // Emptied rooms wait for the next flush to go: not counted meanwhile.
            long occupied = rooms.values().stream().filter(r -> !r.isEmpty()).count();
            return new Counts(gateways.size(), connectionCount, onlineUsers, occupied);
        } finally {
            lock.unlock();
        }
    }

    // ---- mutations; all run under the lock ----

    private void apply(GatewayEntry gateway, PresenceChange change) {
        switch (change.getChangeCase()) {
            case OPENED -> {
                var o = change.getOpened();
                Conn existing = gateway.connections.get(o.getSessionId());
                if (existing != null && existing.userId.equals(o.getUserId())) {
                    existing.client = o.getClient();
                    existing.openedTime = o.getOpenedTime();
                } else {
                    if (existing != null) {
                        closeConnection(gateway, existing, true);
                    }
                    openConnection(gateway, o.getSessionId(), o.getUserId(), o.getClient(), o.getOpenedTime());
                }
            }
            // Changes naming an unknown session are ignored: batches are ordered, so such a change can only
            // follow a close of the same session (a gateway race), and ignoring it is what the close implies.
            case CLOSED -> {
                Conn conn = gateway.connections.get(change.getClosed().getSessionId());
                if (conn != null) {
                    closeConnection(gateway, conn, true);
                }
            }
            case JOINED -> {
                Conn conn = gateway.connections.get(change.getJoined().getSessionId());
                if (conn != null) {
                    joinRoom(conn, change.getJoined().getRoom());
                }
            }
            case LEFT -> {
                Conn conn = gateway.connections.get(change.getLeft().getSessionId());
                if (conn != null) {
                    leaveRoom(conn, change.getLeft().getRoom(), null);
                }
            }
            case STATUS -> {
                Conn conn = gateway.connections.get(change.getStatus().getSessionId());
                if (conn != null) {
                    setStatus(users.get(conn.userId), change.getStatus().getStatus(), change.getStatus().getText());
                }
            }
            case CHANGE_NOT_SET -> throw new IllegalArgumentException("change: not set");
        }
    }

    private Conn openConnection(GatewayEntry gateway, String sessionId, String userId, String client,
                                Timestamp opened) {
        UserEntry user = users.get(userId);
        noteUser(userId, user);
        if (user == null) {
            user = new UserEntry(userId);
            users.put(userId, user);
        }
        if (!user.online()) {
            onlineUsers++;
            user.lingerUntil = null; // back within the grace: same entry, same status
        }
        Conn conn = new Conn(gateway.gatewayId, sessionId, userId, client, opened);
        gateway.connections.put(sessionId, conn);
        user.connections.add(conn);
        connectionCount++;
        return conn;
    }

    /** {@code grace}: the connection went without its user asking to leave, so the leave grace applies. */
    private void closeConnection(GatewayEntry gateway, Conn conn, boolean grace) {
        Instant now = clock.instant();
        Instant deadline = grace && !leaveGrace.isZero() ? now.plus(leaveGrace) : null;
        UserEntry user = users.get(conn.userId);
        List<String> lingering = new ArrayList<>();
        for (String room : List.copyOf(conn.rooms)) {
            if (leaveRoom(conn, room, deadline)) {
                lingering.add(room);
                user.lingeringRooms.add(room);
            }
        }
        noteUser(conn.userId, user);
        user.connections.remove(conn);
        if (!user.online()) {
            onlineUsers--;
            user.lingerUntil = deadline;
        }
        if (deadline != null && (!lingering.isEmpty() || !user.online())) {
            lingers.addLast(new Linger(deadline, conn.userId, List.copyOf(lingering)));
        }
        removeIfGone(user, now);
        gateway.connections.remove(conn.sessionId);
        connectionCount--;
    }

    /** Drops the user's entry once it is offline, lingers in no room and its own grace is over; the status resets with it. */
    private void removeIfGone(UserEntry user, Instant now) {
        if (!user.online() && user.lingeringRooms.isEmpty()
                && (user.lingerUntil == null || !now.isBefore(user.lingerUntil))) {
            users.remove(user.userId);
        }
    }

    private void joinRoom(Conn conn, String room) {
        if (conn.rooms.contains(room)) {
            return;
        }
        RoomEntry entry = rooms.computeIfAbsent(room, r -> new RoomEntry());
        noteRoom(room, conn.userId, entry);
        conn.rooms.add(room);
        if (entry.lingering.remove(conn.userId) != null) {
            users.get(conn.userId).lingeringRooms.remove(room);
            return; // takes over the lingering device: one device before and after
        }
        entry.devices.merge(conn.userId, 1, Integer::sum);
        entry.connections++;
    }

    /**
     * Takes the connection out of the room. With a {@code lingerUntil} deadline, a user losing their last device
     * in the room stays a member with one device until then. Returns true when the user lingers. The entry stays
     * until the next flush, which removes it if it is empty (its version must reach that flush).
     */
    private boolean leaveRoom(Conn conn, String room, Instant lingerUntil) {
        if (!conn.rooms.remove(room)) {
            return false;
        }
        RoomEntry entry = rooms.get(room);
        noteRoom(room, conn.userId, entry);
        int devices = entry.devices.get(conn.userId);
        if (devices == 1 && lingerUntil != null) {
            entry.lingering.put(conn.userId, lingerUntil);
            return true;
        }
        if (devices == 1) {
            entry.devices.remove(conn.userId);
        } else {
            entry.devices.put(conn.userId, devices - 1);
        }
        entry.connections--;
        return false;
    }

    private void setStatus(UserEntry user, PresenceStatus status, String text) {
        if (user.status == status && user.text.equals(text)) {
            return;
        }
        noteUser(user.userId, user);
        for (Conn conn : user.connections) {
            for (String room : conn.rooms) {
                noteRoom(room, user.userId, rooms.get(room));
            }
        }
        for (String room : user.lingeringRooms) {
            noteRoom(room, user.userId, rooms.get(room)); // rooms the user lingers in show the status too
        }
        user.status = status;
        user.text = text;
    }

    private void dropGateway(GatewayEntry gateway, boolean grace) {
        for (Conn conn : List.copyOf(gateway.connections.values())) {
            closeConnection(gateway, conn, grace);
        }
        gateways.remove(gateway.gatewayId);
    }

    private void noteRoom(String room, String userId, RoomEntry entry) {
        if (!batcher.roomTouched(room, userId)) {
            Integer devices = entry == null ? null : entry.devices.get(userId);
            batcher.beforeRoomChange(room, userId, devices == null ? null : member(users.get(userId), devices));
        }
    }

    private void noteUser(String userId, UserEntry user) {
        if (!batcher.userTouched(userId)) {
            batcher.beforeUserChange(userId, snapshot(user));
        }
    }

    // ---- reads; all run under the lock ----

    private static DeltaBatcher.UserSnapshot snapshot(UserEntry user) {
        return user == null || !user.online() ? DeltaBatcher.UserSnapshot.OFFLINE
                : new DeltaBatcher.UserSnapshot(user.status, user.text, Set.copyOf(user.connections));
    }

    private static Member member(UserEntry user, int devices) {
        return Member.newBuilder().setUserId(user.userId).setStatus(user.status).setStatusText(user.text)
                .setDevices(devices).build();
    }

    private UserPresence userRecord(String userId, boolean withRooms) {
        UserEntry user = users.get(userId);
        UserPresence.Builder presence = UserPresence.newBuilder().setUserId(userId);
        if (user == null || !user.online()) {
            return presence.setStatus(PresenceStatus.OFFLINE).build();
        }
        presence.setStatus(user.status).setStatusText(user.text);
        user.connections.forEach(conn -> presence.addConnections(connection(conn, withRooms)));
        return presence.build();
    }

    private static Connection connection(Conn conn, boolean withRooms) {
        Connection.Builder c = Connection.newBuilder().setSessionId(conn.sessionId).setUserId(conn.userId)
                .setGatewayId(conn.gatewayId).setClient(conn.client).setOpenedTime(conn.openedTime);
        if (withRooms) {
            c.addAllRooms(conn.rooms);
        }
        return c.build();
    }

    /** The batcher's window on the state; only called from drainDeltas, under the lock. */
    private final class StateView implements DeltaBatcher.View {
        @Override
        public Member member(String room, String userId) {
            RoomEntry entry = rooms.get(room);
            Integer devices = entry == null ? null : entry.devices.get(userId);
            return devices == null ? null : PresenceState.member(users.get(userId), devices);
        }

        @Override
        public long users(String room) {
            RoomEntry entry = rooms.get(room);
            return entry == null ? 0 : entry.devices.size();
        }

        @Override
        public long connections(String room) {
            RoomEntry entry = rooms.get(room);
            return entry == null ? 0 : entry.connections;
        }

        @Override
        public DeltaBatcher.UserSnapshot user(String userId) {
            return snapshot(users.get(userId));
        }

        @Override
        public UserPresence userRecord(String userId) {
            // Routers only need the gateways: rooms would make every record as large as the user's subscriptions.
            return PresenceState.this.userRecord(userId, false);
        }

        @Override
        public long version(String room) {
            RoomEntry entry = rooms.get(room);
            return entry == null ? 0 : entry.version;
        }

        @Override
        public void flushed(String room, boolean written, long flushVersion) {
            RoomEntry entry = rooms.get(room);
            if (entry == null) {
                return;
            }
            if (entry.isEmpty()) {
                rooms.remove(room); // its last record said so; a later one starts again from version 0
                return;
            }
            if (written) {
                entry.version = flushVersion;
            }
            entry.flushedUsers = entry.devices.size();
            entry.flushedConnections = entry.connections;
        }
    }

    private static String newEpoch() {
        UUID id = UUID.randomUUID();
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }
}
