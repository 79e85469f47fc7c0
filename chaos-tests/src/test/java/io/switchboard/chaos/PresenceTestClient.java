package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresencePage;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.TestTokens;
import io.switchboard.testkit.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;

/**
 * One WebSocket connection of the presence process tests, granted one room, that records every frame it receives
 * and reads that room's member list and presence events as a client application would.
 */
final class PresenceTestClient implements AutoCloseable {
    private static final Duration REPLY_WAIT = Duration.ofSeconds(20);

    private final String user;
    private final String room;
    private final WsTestClient ws;
    private final List<ServerFrame> frames = new CopyOnWriteArrayList<>();

    private PresenceTestClient(String user, String room, WsTestClient ws) {
        this.user = user;
        this.room = room;
        this.ws = ws;
    }

    /**
     * The room both presence process tests start from: a watcher (with presence events) and dave on the second
     * of {@code gateways}, ann and ben on the first, each subscribed; every client is added to {@code registry}.
     */
    record Room(PresenceTestClient watcher, PresenceTestClient ann, PresenceTestClient ben, PresenceTestClient dave) {
        static Room join(List<URI> gateways, TestTokens tokens, String room, List<? super PresenceTestClient> registry) {
            URI gateway1 = gateways.get(0);
            URI gateway2 = gateways.get(1);
            PresenceTestClient watcher = connect(gateway2, "watcher", tokens, room, registry);
            watcher.subscribe(true);
            PresenceTestClient ann = connect(gateway1, "ann", tokens, room, registry);
            PresenceTestClient ben = connect(gateway1, "ben", tokens, room, registry);
            PresenceTestClient dave = connect(gateway2, "dave", tokens, room, registry);
            for (PresenceTestClient c : List.of(ann, ben, dave)) {
                c.subscribe(false);
            }
            return new Room(watcher, ann, ben, dave);
        }
    }

    /** Connects {@code user} with a token for {@code room}, adds the client to {@code registry} (to close it). */
    static PresenceTestClient connect(URI uri, String user, TestTokens tokens, String room,
                                      List<? super PresenceTestClient> registry) {
        WsTestClient ws = WsTestClient.connect(uri, Subprotocol.PROTO);
        PresenceTestClient client = new PresenceTestClient(user, room, ws);
        registry.add(client);
        ws.send(ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken(tokens.token(user, room))).build());
        ServerFrame first = ws.next(REPLY_WAIT);
        if (!first.hasConnected()) {
            throw new AssertionError(user + ": expected Connected, got " + first);
        }
        ws.divert(client.frames::add);
        return client;
    }

    String user() {
        return user;
    }

    WsTestClient ws() {
        return ws;
    }

    /** Subscribes to the client's room, with presence events or without. */
    void subscribe(boolean presence) {
        int id = ws.nextRequestId();
        ws.send(ClientFrame.newBuilder().setSubscribe(Subscribe.newBuilder().setRequestId(id).setRoom(room)
                .setPresence(presence)).build());
        ServerFrame reply = await(f -> (f.hasSubscribed() && f.getSubscribed().getRequestId() == id)
                || (f.hasError() && f.getError().getRequestId() == id), REPLY_WAIT);
        assertThat(reply.hasSubscribed()).as("subscribe %s: %s", room, reply).isTrue();
    }

    /** An at-most-once direct message to {@code to}; its Ack. */
    Ack direct(String to, String id) {
        int requestId = ws.nextRequestId();
        ws.send(ClientFrame.newBuilder().setDirect(DirectMessage.newBuilder().setRequestId(requestId)
                .setUserId(to).setId(id).setPayload(ByteString.copyFromUtf8("hi")).setContentType("text/plain"))
                .build());
        ServerFrame reply = await(f -> (f.hasAck() && f.getAck().getRequestId() == requestId)
                || (f.hasError() && f.getError().getRequestId() == requestId), REPLY_WAIT);
        assertThat(reply.hasAck()).as("direct message %s: %s", id, reply).isTrue();
        return reply.getAck();
    }

    PresencePage presencePage(String afterUser, int limit) {
        int id = ws.nextRequestId();
        ws.send(ClientFrame.newBuilder().setPresence(PresenceQuery.newBuilder().setRequestId(id).setRoom(room)
                .setAfterUser(afterUser).setLimit(limit)).build());
        ServerFrame reply = await(f -> (f.hasPresencePage() && f.getPresencePage().getRequestId() == id)
                || (f.hasError() && f.getError().getRequestId() == id), REPLY_WAIT);
        assertThat(reply.hasPresencePage()).as("presence query: %s", reply).isTrue();
        return reply.getPresencePage();
    }

    /** Every member of the room, paging 2 at a time. */
    List<String> memberIds() {
        List<String> ids = new ArrayList<>();
        String after = "";
        for (int pages = 0; pages < 50; pages++) {
            PresencePage page = presencePage(after, 2);
            page.getMembersList().stream().map(Member::getUserId).forEach(ids::add);
            if (!page.getHasMore()) {
                return ids;
            }
            after = page.getNextAfterUser();
        }
        throw new AssertionError("member list does not end: " + ids);
    }

    /** The room's presence events received so far, in order. */
    List<PresenceEvent> events() {
        return frames.stream().filter(ServerFrame::hasPresence).map(ServerFrame::getPresence)
                .filter(e -> e.getRoom().equals(room)).toList();
    }

    Set<String> joined() {
        return events().stream().flatMap(e -> e.getJoinedList().stream()).map(Member::getUserId)
                .collect(Collectors.toSet());
    }

    Set<String> left() {
        return events().stream().flatMap(e -> e.getLeftList().stream()).collect(Collectors.toSet());
    }

    /** The first received frame matching {@code predicate}, waiting up to {@code timeout} for it. */
    ServerFrame await(Predicate<ServerFrame> predicate, Duration timeout) {
        return Awaitility.await().atMost(timeout)
                .until(() -> frames.stream().filter(predicate).findFirst(), Optional::isPresent).orElseThrow();
    }

    @Override
    public void close() {
        ws.close();
    }
}
