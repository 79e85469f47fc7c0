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

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory presence model: gateways (incarnation, lease deadline, last seq) hold connections, connections
 * are subscribed to rooms; indexes room -> user -> devices and user -> connections answer queries without
 * scanning. Changes are noted in a {@link DeltaBatcher} and leave through {@link #drainDeltas()}.
 *
 * <p>Requests are assumed valid (the gRPC layer validates them first); this class only decides what they mean
 * for the state. Leases run on the injected clock: a gateway whose deadline passed is removed by
 * {@link #expireLeases()} (or by its own late report), and all of its connections go offline.
 *
 * <p>Thread-safe: every method takes one lock for its whole run. Nothing blocking happens under it (no I/O,
 * no Kafka), and every operation costs O(log n) per change, so one lock carries well over 10,000 joins/s;
 * it also makes a Sync atomic for readers and for the delta batcher.
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

    /** Sizes of the model, for metrics. */
    public record Counts(long gateways, long connections, long users, long rooms) {
    }

    private final InstantSource clock;
    private final Duration leaseTtl;
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
    private final DeltaBatcher.View view = new StateView();

    /**
     * @param largeRoomThreshold rooms with more users get summary records
     * @param maxDeltaMembers    deltas with more changed members become summaries
     */
    public PresenceState(InstantSource clock, Duration leaseTtl, int largeRoomThreshold, int maxDeltaMembers) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.leaseTtl = Objects.requireNonNull(leaseTtl, "leaseTtl");
        this.batcher = new DeltaBatcher(largeRoomThreshold, maxDeltaMembers);
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
                // One process per gateway id: a new incarnation means the old process and its connections are gone.
                dropGateway(gateway);
                return Outcome.NEW_INCARNATION;
            }
            if (!now.isBefore(gateway.leaseDeadline)) {
                dropGateway(gateway);
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
                    closeConnection(gateway, conn);
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
                        leaveRoom(conn, room);
                    }
                }
                for (String room : rooms) {
                    joinRoom(conn, room);
                }
            }
            for (Conn conn : List.copyOf(gateway.connections.values())) {
                if (!wanted.containsKey(conn.sessionId)) {
                    closeConnection(gateway, conn);
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

    /** Removes every gateway whose lease has passed; its connections go offline. Returns how many. */
    public int expireLeases() {
        lock.lock();
        try {
            Instant now = clock.instant();
            List<GatewayEntry> expired = gateways.values().stream()
                    .filter(g -> !now.isBefore(g.leaseDeadline))
                    .toList();
            expired.forEach(this::dropGateway);
            return expired.size();
        } finally {
            lock.unlock();
        }
    }

    /** The records for what changed since the last call: one per changed room, one per changed user. */
    public List<PresenceRecord> drainDeltas() {
        lock.lock();
        try {
            return batcher.flush(clock.instant(), view);
        } finally {
            lock.unlock();
        }
    }

    /** One page of the room's members after {@code afterUser} (exclusive; "" for the first page). */
    public RoomMembersResponse roomMembers(String room, String afterUser, int limit) {
        lock.lock();
        try {
            RoomEntry entry = rooms.get(room);
            RoomMembersResponse.Builder response = RoomMembersResponse.newBuilder();
            if (entry == null) {
                return response.build();
            }
            Iterator<Map.Entry<String, Integer>> it = entry.devices.tailMap(afterUser, false).entrySet().iterator();
            String last = "";
            while (it.hasNext() && response.getMembersCount() < limit) {
                Map.Entry<String, Integer> e = it.next();
                response.addMembers(member(users.get(e.getKey()), e.getValue()));
                last = e.getKey();
            }
            boolean hasMore = it.hasNext();
            return response.setHasMore(hasMore)
                    .setNextAfterUser(hasMore ? last : "")
                    .setUsers(entry.devices.size())
                    .setConnections(entry.connections)
                    .build();
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
            return new Counts(gateways.size(), connectionCount, users.size(), rooms.size());
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
                        closeConnection(gateway, existing);
                    }
                    openConnection(gateway, o.getSessionId(), o.getUserId(), o.getClient(), o.getOpenedTime());
                }
            }
            // Changes naming an unknown session are ignored: batches are ordered, so such a change can only
            // follow a close of the same session (a gateway race), and ignoring it is what the close implies.
            case CLOSED -> {
                Conn conn = gateway.connections.get(change.getClosed().getSessionId());
                if (conn != null) {
                    closeConnection(gateway, conn);
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
                    leaveRoom(conn, change.getLeft().getRoom());
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
        Conn conn = new Conn(gateway.gatewayId, sessionId, userId, client, opened);
        gateway.connections.put(sessionId, conn);
        user.connections.add(conn);
        connectionCount++;
        return conn;
    }

    private void closeConnection(GatewayEntry gateway, Conn conn) {
        for (String room : List.copyOf(conn.rooms)) {
            leaveRoom(conn, room);
        }
        UserEntry user = users.get(conn.userId);
        noteUser(conn.userId, user);
        user.connections.remove(conn);
        if (user.connections.isEmpty()) {
            users.remove(conn.userId);  // offline: the status resets with the entry
        }
        gateway.connections.remove(conn.sessionId);
        connectionCount--;
    }

    private void joinRoom(Conn conn, String room) {
        if (conn.rooms.contains(room)) {
            return;
        }
        RoomEntry entry = rooms.computeIfAbsent(room, r -> new RoomEntry());
        noteRoom(room, conn.userId, entry);
        conn.rooms.add(room);
        entry.devices.merge(conn.userId, 1, Integer::sum);
        entry.connections++;
    }

    private void leaveRoom(Conn conn, String room) {
        if (!conn.rooms.remove(room)) {
            return;
        }
        RoomEntry entry = rooms.get(room);
        noteRoom(room, conn.userId, entry);
        entry.devices.computeIfPresent(conn.userId, (u, n) -> n == 1 ? null : n - 1);
        entry.connections--;
        if (entry.connections == 0) {
            rooms.remove(room);
        }
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
        user.status = status;
        user.text = text;
    }

    private void dropGateway(GatewayEntry gateway) {
        for (Conn conn : List.copyOf(gateway.connections.values())) {
            closeConnection(gateway, conn);
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
        return user == null ? DeltaBatcher.UserSnapshot.OFFLINE
                : new DeltaBatcher.UserSnapshot(user.status, user.text, Set.copyOf(user.connections));
    }

    private static Member member(UserEntry user, int devices) {
        return Member.newBuilder().setUserId(user.userId).setStatus(user.status).setStatusText(user.text)
                .setDevices(devices).build();
    }

    private UserPresence userRecord(String userId, boolean withRooms) {
        UserEntry user = users.get(userId);
        UserPresence.Builder presence = UserPresence.newBuilder().setUserId(userId);
        if (user == null) {
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
    }
}
