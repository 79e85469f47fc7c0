package io.switchboard.presence.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.ConnectionState;
import io.switchboard.proto.internal.v1.PresenceChange;
import io.switchboard.proto.internal.v1.PresenceRecord;
import io.switchboard.proto.internal.v1.ReportRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.SyncRequest;
import io.switchboard.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The versioning rule under random churn: gateways report batched changes, resync, restart and die; users
 * open, close, join, leave and set statuses; the clock moves; member pages are read and answered late while
 * records keep arriving. Every client list kept by the rule ({@link MemberListReplica}) equals the room's page
 * whenever it has everything delivered, and in the end the rooms hold exactly the connections the gateways
 * still have. Seeds: {@code -Dpresence.seeds=N} runs N (default 300), {@code -Dpresence.seed=S} replays one.
 */
class PagesAndRecordsRandomizedTest {
    private static final List<String> USERS = List.of("ann", "bob", "cid", "dee", "eve");
    private static final List<String> ROOMS = List.of("chat:a", "chat:b");
    private static final Duration LEASE = Duration.ofSeconds(5);
    private static final Duration GRACE = Duration.ofSeconds(3);

    @Test
    void everyListKeptByTheRuleMatchesItsRoom() {
        Long replay = Long.getLong("presence.seed");
        long[] seeds = replay != null ? new long[] {replay}
                : LongStream.range(0, Integer.getInteger("presence.seeds", 300)).map(i -> 0x5eed0000L + i).toArray();
        for (long seed : seeds) {
            try {
                new Run(seed).run();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " failed (replay with -Dpresence.seed=" + seed + "): "
                        + e.getMessage(), e);
            }
        }
    }

    /** One gateway as the presence service sees it: what it reports and what it would put in a Sync. */
    private static final class Gateway {
        final String id;
        String incarnation;
        long seq;
        boolean alive = true;
        boolean mustSync = true;
        final Map<String, String> users = new LinkedHashMap<>();       // session -> user
        final Map<String, Set<String>> rooms = new HashMap<>();          // session -> rooms
        final Map<String, PresenceStatus> statuses = new HashMap<>();    // session -> status set through it
        final List<PresenceChange> pending = new ArrayList<>();

        Gateway(String id, int incarnation) {
            this.id = id;
            this.incarnation = id + "-i" + incarnation;
        }
    }

    /** A client's list and what is on its way to it. */
    private static final class Client {
        final String room;
        final MemberListReplica list = new MemberListReplica();
        final ArrayDeque<PresenceEvent> inbox = new ArrayDeque<>();
        RoomMembersResponse pendingPage;

        Client(String room) {
            this.room = room;
        }
    }

    private static final class Run {
        final Random random;
        final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
        final PresenceState state = new PresenceState(clock, new PresenceState.Settings(LEASE, GRACE, Duration.ZERO, 4, 3));
        final List<Gateway> gateways = new ArrayList<>(List.of(new Gateway("g0", 0), new Gateway("g1", 0)));
        final List<Client> clients = new ArrayList<>();
        int sessions;
        int restarts;

        Run(long seed) {
            this.random = new Random(seed);
            for (String room : ROOMS) {
                for (int i = 0; i < 3; i++) {
                    clients.add(new Client(room));
                }
            }
        }

        void run() {
            for (Gateway g : gateways) {
                send(g);
            }
            for (int step = 0; step < 400; step++) {
                int op = random.nextInt(100);
                Gateway g = gateways.get(random.nextInt(gateways.size()));
                if (op < 14) {
                    open(g);
                } else if (op < 22) {
                    close(g);
                } else if (op < 34) {
                    join(g);
                } else if (op < 40) {
                    leave(g);
                } else if (op < 44) {
                    status(g);
                } else if (op < 56) {
                    send(g);
                } else if (op < 58) {
                    g.mustSync = true;
                    send(g);
                } else if (op < 59) {
                    crashOrRestart(g);
                } else if (op < 70) {
                    tick();
                } else if (op < 78) {
                    flush();
                } else if (op < 84) {
                    startRead(clients.get(random.nextInt(clients.size())));
                } else {
                    deliverSome();
                }
                checkCaughtUpClients();
            }
            settle();
        }

        void open(Gateway g) {
            if (!g.alive) {
                return;
            }
            String session = "s" + sessions++;
            String user = USERS.get(random.nextInt(USERS.size()));
            g.users.put(session, user);
            g.rooms.put(session, new TreeSet<>());
            g.statuses.put(session, PresenceStatus.ONLINE);
            g.pending.add(Changes.opened(session, user));
        }

        String anySession(Gateway g) {
            if (!g.alive || g.users.isEmpty()) {
                return null;
            }
            return new ArrayList<>(g.users.keySet()).get(random.nextInt(g.users.size()));
        }

        void close(Gateway g) {
            String session = anySession(g);
            if (session != null) {
                g.users.remove(session);
                g.rooms.remove(session);
                g.statuses.remove(session);
                g.pending.add(Changes.closed(session));
            }
        }

        void join(Gateway g) {
            String session = anySession(g);
            String room = ROOMS.get(random.nextInt(ROOMS.size()));
            if (session != null && g.rooms.get(session).add(room)) {
                g.pending.add(Changes.joined(session, room));
            }
        }

        void leave(Gateway g) {
            String session = anySession(g);
            if (session != null && !g.rooms.get(session).isEmpty()) {
                String room = g.rooms.get(session).iterator().next();
                g.rooms.get(session).remove(room);
                g.pending.add(Changes.left(session, room));
            }
        }

        void status(Gateway g) {
            String session = anySession(g);
            if (session != null) {
                PresenceStatus status = List.of(PresenceStatus.ONLINE, PresenceStatus.AWAY, PresenceStatus.BUSY)
                        .get(random.nextInt(3));
                g.statuses.put(session, status);
                g.pending.add(Changes.status(session, status, ""));
            }
        }

        /** The gateway's next Report (or the Sync it owes), handled as the real reporter does. */
        void send(Gateway g) {
            if (!g.alive) {
                return;
            }
            if (!g.mustSync) {
                ReportRequest report = ReportRequest.newBuilder().setGatewayId(g.id).setIncarnation(g.incarnation)
                        .setSeq(++g.seq).addAllChanges(g.pending).build();
                g.pending.clear();
                g.mustSync = state.report(report).resyncRequired();
            }
            if (g.mustSync) {
                SyncRequest.Builder sync = SyncRequest.newBuilder().setGatewayId(g.id).setIncarnation(g.incarnation)
                        .setSeq(++g.seq);
                g.users.forEach((session, user) -> sync.addConnections(ConnectionState.newBuilder().setSessionId(session)
                        .setUserId(user).setClient("test/1").addAllRooms(g.rooms.get(session))
                        .setStatus(g.statuses.get(session))));
                state.sync(sync.build());
                g.pending.clear();
                g.mustSync = false;
            }
        }

        /** A live gateway dies (its connections with it); a dead one comes back as a new incarnation. */
        void crashOrRestart(Gateway g) {
            if (g.alive) {
                g.alive = false;
                g.users.clear();
                g.rooms.clear();
                g.statuses.clear();
                g.pending.clear();
            } else {
                g.alive = true;
                g.incarnation = g.id + "-i" + ++restarts;
                g.seq = 0;
                g.mustSync = false; // it first reports, learns that it must sync, then syncs
                send(g);
            }
        }

        /** Time passes; live gateways heartbeat first (they report at least every third of the lease). */
        void tick() {
            clock.advance(Duration.ofMillis(random.nextInt(1500)));
            for (Gateway g : gateways) {
                if (g.alive) {
                    send(g);
                }
            }
            state.expireLeaveGraces();
            state.expireLeases();
        }

        void flush() {
            for (PresenceRecord record : state.drainDeltas()) {
                if (record.hasRoom()) {
                    for (Client c : clients) {
                        if (c.room.equals(record.getRoom().getRoom())) {
                            c.inbox.addLast(record.getRoom());
                        }
                    }
                }
            }
        }

        void startRead(Client c) {
            c.list.readStarted();
            c.pendingPage = state.roomMembers(c.room, "", 1000);
        }

        /** Some records and pages arrive; records of one room in order, pages at any point between them. */
        void deliverSome() {
            for (Client c : clients) {
                int n = random.nextInt(3);
                for (int i = 0; i < n && !c.inbox.isEmpty(); i++) {
                    c.list.event(c.inbox.pollFirst());
                }
                if (c.pendingPage != null && random.nextBoolean()) {
                    c.list.page(c.pendingPage);
                    c.pendingPage = null;
                }
                if (c.list.readNeeded() && c.pendingPage == null && random.nextBoolean()) {
                    startRead(c);
                }
            }
        }

        /** A client that has everything delivered and needs no read shows exactly the room's page. */
        void checkCaughtUpClients() {
            for (Client c : clients) {
                if (c.list.loaded() && !c.list.readNeeded() && c.inbox.isEmpty() && c.pendingPage == null) {
                    assertThat(c.list.members()).as("a caught-up list of %s", c.room)
                            .isEqualTo(state.roomMembers(c.room, "", 1000).getMembersList());
                }
            }
        }

        /** Quiet: graces end, dead gateways' leases end, everything is delivered and every list is re-read once if needed. */
        void settle() {
            for (int i = 0; i < 4; i++) {
                tick();
            }
            clock.advance(GRACE.plus(LEASE));
            for (Gateway g : gateways) {
                send(g);
            }
            state.expireLeaveGraces();
            state.expireLeases();
            flush();
            for (int round = 0; round < 5; round++) {
                for (Client c : clients) {
                    while (!c.inbox.isEmpty()) {
                        c.list.event(c.inbox.pollFirst());
                    }
                    if (c.pendingPage != null) {
                        c.list.page(c.pendingPage);
                        c.pendingPage = null;
                    }
                    if (c.list.readNeeded() || !c.list.loaded()) {
                        startRead(c);
                        c.list.page(c.pendingPage);
                        c.pendingPage = null;
                    }
                }
            }
            checkCaughtUpClients();
            for (String room : ROOMS) {
                Map<String, Integer> truth = new TreeMap<>();
                for (Gateway g : gateways) {
                    g.rooms.forEach((session, rooms) -> {
                        if (rooms.contains(room)) {
                            truth.merge(g.users.get(session), 1, Integer::sum);
                        }
                    });
                }
                Map<String, Integer> shown = new TreeMap<>();
                state.roomMembers(room, "", 1000).getMembersList().forEach(m -> shown.put(m.getUserId(), m.getDevices()));
                assertThat(shown).as("members and devices of %s once quiet", room).isEqualTo(truth);
                for (Client c : clients) {
                    if (c.room.equals(room)) {
                        assertThat(c.list.members()).extracting(Member::getUserId)
                                .containsExactlyElementsOf(truth.keySet());
                    }
                }
            }
        }
    }
}
