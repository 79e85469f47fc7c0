package io.switchboard.systemtests;

import static org.awaitility.Awaitility.await;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresencePage;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * One authenticated connection of one user ({@link WsTestClient}, either subprotocol) that records every frame it
 * receives, so a test can both wait for a frame and later assert what did (or did not) arrive. Thread-safe.
 */
final class Peer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final String user;
    private final WsTestClient ws;
    private final Connected connected;
    private final List<ServerFrame> frames = new CopyOnWriteArrayList<>();

    private Peer(String user, WsTestClient ws, Connected connected) {
        this.user = user;
        this.ws = ws;
        this.connected = connected;
    }

    /** Connects to {@code uri} as {@code user} (binary subprotocol) and waits for Connected. */
    static Peer connect(URI uri, String user, String token) {
        return connect(uri, Subprotocol.PROTO, user, token);
    }

    /** Connects to {@code uri} with {@code subprotocol} as {@code user} and waits for Connected. */
    static Peer connect(URI uri, Subprotocol subprotocol, String user, String token) {
        WsTestClient ws = WsTestClient.connect(uri, subprotocol);
        ws.send(ClientFrame.newBuilder().setConnect(io.switchboard.proto.client.v1.Connect.newBuilder()
                .setToken(token).setClient("system-tests")).build());
        ServerFrame first = ws.next(WAIT);
        if (!first.hasConnected()) {
            ws.close();
            throw new AssertionError(user + ": expected Connected, got " + first);
        }
        Peer peer = new Peer(user, ws, first.getConnected());
        ws.divert(peer.frames::add);
        return peer;
    }

    String user() {
        return user;
    }

    String sessionId() {
        return connected.getSessionId();
    }

    String gatewayId() {
        return connected.getGatewayId();
    }

    /** The gateway's Connected answer (the user's inbox and its epoch among others). */
    Connected connected() {
        return connected;
    }

    WsTestClient ws() {
        return ws;
    }

    int nextRequestId() {
        return ws.nextRequestId();
    }

    void send(ClientFrame frame) {
        ws.send(frame);
    }

    /** Subscribes (with or without presence events) and waits for Subscribed. */
    void subscribe(String room, boolean presence) {
        int id = nextRequestId();
        send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(id).setRoom(room)
                .setPresence(presence)).build());
        ServerFrame reply = reply(id);
        if (!reply.hasSubscribed()) {
            throw new AssertionError(user + ": subscribe " + room + " failed: " + reply);
        }
    }

    /** Waits for the frame answering request {@code requestId} (any reply type, Error included). */
    ServerFrame reply(int requestId) {
        return awaitFrame(f -> requestIdOf(f) == requestId);
    }

    /** Waits until a received frame matches and returns the first such frame. */
    ServerFrame awaitFrame(Predicate<ServerFrame> predicate) {
        return await().atMost(WAIT).until(() -> first(predicate), Optional::isPresent).orElseThrow();
    }

    Optional<ServerFrame> first(Predicate<ServerFrame> predicate) {
        return frames.stream().filter(predicate).findFirst();
    }

    /** Every frame received so far that matches, in arrival order. */
    List<ServerFrame> all(Predicate<ServerFrame> predicate) {
        return frames.stream().filter(predicate).toList();
    }

    /** One page of a room's members (this connection must be subscribed to the room). */
    PresencePage presencePage(String room, String afterUser, int limit) {
        int id = nextRequestId();
        send(ClientFrame.newBuilder().setPresence(PresenceQuery.newBuilder().setRequestId(id).setRoom(room)
                .setAfterUser(afterUser).setLimit(limit)).build());
        ServerFrame reply = reply(id);
        if (!reply.hasPresencePage()) {
            throw new AssertionError(user + ": presence query for " + room + " failed: " + reply);
        }
        return reply.getPresencePage();
    }

    /** The whole member list, paged with {@code limit} per page; the pages as received. */
    List<PresencePage> allPresencePages(String room, int limit) {
        List<PresencePage> pages = new ArrayList<>();
        String after = "";
        do {
            PresencePage page = presencePage(room, after, limit);
            pages.add(page);
            if (pages.size() > 100) {
                throw new AssertionError("member list of " + room + " does not end: " + pages);
            }
            after = page.getHasMore() ? page.getNextAfterUser() : null;
        } while (after != null);
        return pages;
    }

    /** The members on every page, in page order. */
    static List<Member> members(List<PresencePage> pages) {
        return pages.stream().flatMap(p -> p.getMembersList().stream()).toList();
    }

    private static int requestIdOf(ServerFrame f) {
        return switch (f.getFrameCase()) {
            case SUBSCRIBED -> f.getSubscribed().getRequestId();
            case UNSUBSCRIBED -> f.getUnsubscribed().getRequestId();
            case ACK -> f.getAck().getRequestId();
            case ERROR -> f.getError().getRequestId();
            case HISTORY_PAGE -> f.getHistoryPage().getRequestId();
            case PRESENCE_PAGE -> f.getPresencePage().getRequestId();
            default -> 0;
        };
    }

    /** Closes the connection normally (1000) in the middle of a test, as a user closing a tab would. */
    void leave() {
        ws.close();
    }

    /** Closes the connection normally (1000); safe to call more than once. */
    @Override
    public void close() {
        ws.close();
    }

    @Override
    public String toString() {
        return "Peer{" + user + " " + sessionId() + " on " + gatewayId() + "}";
    }
}
