package io.switchboard.testkit;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Subscribed;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A logical client that survives disconnects the way an SDK does: it remembers per room the next position
 * to process (from Subscribed.next_position and every Message) and, on every new connection, subscribes with
 * {@code resume_from.next_position}. Everything it
 * receives goes to a {@link DeliveryChecker.Subscriber}, across all of its connections. Thread-safe.
 */
public final class ResumingClient implements AutoCloseable {
    /** The first position of a room not yet processed, and its epoch. */
    private record Next(long position, String epoch) {
        Next max(Next other) {
            return other.position() > position ? other : this;
        }
    }

    private final String user;
    private final TestTokens tokens;
    private final List<String> rooms;
    private final DeliveryChecker.Subscriber recorder;
    private final Map<String, Next> next = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<ServerFrame>> pending = new ConcurrentHashMap<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private volatile WsTestClient connection;

    public ResumingClient(String user, TestTokens tokens, List<String> rooms, DeliveryChecker.Subscriber recorder) {
        this.user = user;
        this.tokens = tokens;
        this.rooms = List.copyOf(rooms);
        this.recorder = recorder;
    }

    /** Connects to {@code gateway} and (re)subscribes to every room, resuming where it left off. */
    public void connect(URI gateway, Subprotocol protocol, Duration timeout) {
        if (connection != null && connection.isOpen()) {
            throw new IllegalStateException(user + " is connected");
        }
        WsTestClient client = WsTestClient.connected(gateway, protocol, tokens.token(user, rooms.toArray(String[]::new)));
        client.divert(this::onFrame);
        connection = client;
        for (String room : rooms) {
            int requestId = client.nextRequestId();
            Subscribe.Builder subscribe = Subscribe.newBuilder().setRequestId(requestId).setRoom(room);
            Next from = next.get(room);
            if (from != null) {
                subscribe.setResumeFrom(ResumeFrom.newBuilder().setNextPosition(from.position()).setEpoch(from.epoch()));
            }
            CompletableFuture<ServerFrame> reply = new CompletableFuture<>();
            pending.put(requestId, reply);
            client.send(ClientFrame.newBuilder().setSubscribe(subscribe).build());
            ServerFrame frame = await(reply, timeout, room);
            if (!frame.hasSubscribed()) {
                throw new IllegalStateException(user + ": subscribe " + room + " failed: " + frame);
            }
            Subscribed subscribed = frame.getSubscribed();
            events.add("subscribed " + room + " from " + from + ": next " + subscribed.getNextPosition()
                    + " recovered " + subscribed.getRecovered() + " replayed " + subscribed.getReplayed()
                    + " on " + gateway);
            // Adopt the stream's start only when nothing is replayed: replayed messages are processed after
            // Subscribed, and jumping ahead before they are would skip them after a disconnect mid-replay.
            if (subscribed.getReplayed() == 0) {
                next.merge(room, new Next(subscribed.getNextPosition(), subscribed.getEpoch()), Next::max);
            }
            if (from != null && !subscribed.getRecovered()) {
                problems.add(user + ": resume of " + room + " from " + from + " not recovered: " + subscribed.getRecoveryFailure());
            }
        }
    }

    /** Drops the connection abruptly (no close handshake), as a lost network would. */
    public void disconnect() {
        events.add("disconnect; next " + next);
        WsTestClient client = connection;
        connection = null;
        if (client != null) {
            client.abort();
        }
    }

    /** True while a connection is open. */
    public boolean isConnected() {
        WsTestClient client = connection;
        return client != null && client.isOpen();
    }

    /** What happened to this client (subscribes and disconnects), for failure messages. */
    public List<String> events() {
        return List.copyOf(events);
    }

    /** Resumes that did not recover, and anything else the client found wrong. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    @Override
    public void close() {
        disconnect();
    }

    private void onFrame(ServerFrame frame) {
        switch (frame.getFrameCase()) {
            case MESSAGE -> {
                Message m = frame.getMessage();
                recorder.received(m);
                next.merge(m.getRoom(), new Next(m.getPosition() + 1, m.getEpoch()), Next::max);
            }
            case SUBSCRIBED -> complete(frame.getSubscribed().getRequestId(), frame);
            case ERROR -> {
                if (frame.getError().getRequestId() != 0) {
                    complete(frame.getError().getRequestId(), frame);
                } else {
                    problems.add(user + ": error " + frame.getError());
                }
            }
            default -> { }
        }
    }

    private void complete(int requestId, ServerFrame frame) {
        CompletableFuture<ServerFrame> reply = pending.remove(requestId);
        if (reply != null) {
            reply.complete(frame);
        }
    }

    private ServerFrame await(CompletableFuture<ServerFrame> reply, Duration timeout, String room) {
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(user + ": no reply to subscribe " + room + " within " + timeout, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
