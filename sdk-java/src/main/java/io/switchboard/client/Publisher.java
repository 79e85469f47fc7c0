package io.switchboard.client;

import com.google.protobuf.ByteString;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Acknowledged publishes and stored direct messages: each goes into the {@link OfflineQueue} with its id, is sent
 * while connected (at most {@code maxInflightPublishes} at a time, without waiting for the acks before), resent with
 * the same id after a reconnect or a retriable error, in call order per room and per target user (their inbox: the
 * server orders a connection's stored direct messages like its publishes into that room), and settled by its Ack, a
 * non-retriable Error, the publish timeout, or the client's close.
 * Not thread-safe: event loop only.
 */
final class Publisher {
    private final ClientSettings settings;
    private final Scheduler loop;
    private final PendingRequests requests;
    private final ConnectionStateMachine connection;
    private final Backoff backoff;
    private final OfflineQueue queue;
    private int inFlight;
    private SwitchboardException closed;
    private boolean storesDirect = true; // whether the current gateway has inboxes (Connected.inbox)

    Publisher(ClientSettings settings, Scheduler loop, PendingRequests requests, ConnectionStateMachine connection, Backoff backoff) {
        this.settings = settings;
        this.loop = loop;
        this.requests = requests;
        this.connection = connection;
        this.backoff = backoff;
        this.queue = new OfflineQueue(settings.offlineQueueMaxMessages(), settings.offlineQueueMaxBytes());
    }

    /** Queues {@code entry} (settling its future at once if it cannot be) and sends what the window allows. */
    void publish(OfflineQueue.Entry entry) {
        if (closed != null) {
            entry.future.completeExceptionally(closed);
            return;
        }
        if (!queue.offer(entry)) {
            entry.future.completeExceptionally(queue.contains(entry)
                    ? new SwitchboardException(ErrorCode.INVALID_ID.getNumber(), "id: " + entry.id + " (expected: not already awaiting its ack to "
                            + entry.target() + ")", false, entry.room)
                    : new SwitchboardException(ErrorCode.RATE_LIMITED.getNumber(), "offline queue full: " + queue.size() + " messages, "
                            + queue.bytes() + " bytes (expected: < " + settings.offlineQueueMaxMessages() + " messages, <= "
                            + settings.offlineQueueMaxBytes() + " bytes)", true, entry.room));
            return;
        }
        entry.timeout = loop.schedule(() -> timedOut(entry), settings.publishTimeout());
        pump();
    }

    /** A new connection: everything not acknowledged goes out again, ids unchanged. */
    void onConnected(Connected connected) {
        storesDirect = !connected.getInbox().isEmpty();
        pump();
    }

    /**
     * Sends what the window allows, in call order. A lane (a room, or a target user's inbox) whose earlier entry
     * waits for its retry sends nothing after it until the retry went out: the server stores a connection's
     * publishes into a room in the order they arrive and refuses those behind a failed one, so resending in call
     * order keeps that order. A resend also waits while any entry of its lane is still in flight from an earlier
     * pass, earlier or later than itself: the server starts a new order with the resend, and an entry of the old
     * order still on its way could then be stored after the ones that follow the resend, or fail and need a resend
     * behind them. (Resends due together go out together, in order.)
     */
    private void pump() {
        if (!connection.connected()) {
            return;
        }
        Set<OfflineQueue.Lane> busyLanes = null;
        for (OfflineQueue.Entry entry : queue.inOrder()) {
            if (entry.inFlightRequest != 0) {
                if (busyLanes == null) {
                    busyLanes = new HashSet<>();
                }
                busyLanes.add(entry.lane);
            }
        }
        Set<OfflineQueue.Lane> waitingLanes = null;
        for (OfflineQueue.Entry entry : queue.inOrder()) {
            if (inFlight >= settings.maxInflightPublishes()) {
                return;
            }
            if (entry.inFlightRequest != 0) {
                continue;
            }
            boolean held = entry.waitingRetry // its retry is not due yet
                    || waitingLanes != null && waitingLanes.contains(entry.lane) // behind a held entry of its lane
                    || entry.attempts > 0 && busyLanes != null && busyLanes.contains(entry.lane);
            if (held) {
                if (waitingLanes == null) {
                    waitingLanes = new HashSet<>();
                }
                waitingLanes.add(entry.lane); // what follows it in its lane waits too
            } else if (entry.userId != null && !storesDirect) {
                done(entry);
                entry.future.completeExceptionally(noInbox());
            } else {
                send(entry);
            }
        }
    }

    private void send(OfflineQueue.Entry entry) {
        int requestId = requests.register(PendingRequests.of(frame -> answered(entry, frame), () -> settle(entry)));
        entry.inFlightRequest = requestId;
        entry.attempts++;
        inFlight++;
        if (!connection.send(frame(entry, requestId))) {
            requests.forget(requestId);
            settle(entry);
        }
    }

    private static ClientFrame frame(OfflineQueue.Entry entry, int requestId) {
        if (entry.userId != null) {
            DirectMessage.Builder direct = DirectMessage.newBuilder().setRequestId(requestId).setUserId(entry.userId)
                    .setId(entry.id).setPayload(ByteString.copyFrom(entry.payload)).setStored(true);
            if (entry.contentType != null) {
                direct.setContentType(entry.contentType);
            }
            return ClientFrame.newBuilder().setDirect(direct).build();
        }
        Publish.Builder publish = Publish.newBuilder().setRequestId(requestId).setRoom(entry.room).setId(entry.id)
                .setPayload(ByteString.copyFrom(entry.payload)).setAck(true);
        if (entry.contentType != null) {
            publish.setContentType(entry.contentType);
        }
        if (entry.traceparent != null) {
            publish.setTraceparent(entry.traceparent);
        }
        if (entry.conflationKey != null) {
            publish.setConflationKey(entry.conflationKey);
        }
        return ClientFrame.newBuilder().setPublish(publish).build();
    }

    private void answered(OfflineQueue.Entry entry, ServerFrame frame) {
        settle(entry);
        if (frame.hasAck()) {
            done(entry);
            entry.future.complete(frame.getAck());
        } else if (frame.hasError() && frame.getError().getRetriable()) {
            // Outcome unknown or server busy: retry with the same id after a pause (the timeout still applies).
            entry.waitingRetry = true;
            loop.schedule(() -> {
                entry.waitingRetry = false;
                pump();
            }, backoff.delay(entry.attempts - 1));
        } else {
            done(entry);
            entry.future.completeExceptionally(frame.hasError() ? SwitchboardException.of(frame.getError())
                    : new SwitchboardException(ErrorCode.INTERNAL.getNumber(), "unexpected answer: " + frame.getFrameCase(), false, entry.room));
        }
        pump();
    }

    private void timedOut(OfflineQueue.Entry entry) {
        if (queue.remove(entry) == null) {
            return;
        }
        if (entry.inFlightRequest != 0) {
            requests.forget(entry.inFlightRequest);
            settle(entry);
        }
        entry.future.completeExceptionally(new SwitchboardException(ErrorCode.TIMEOUT.getNumber(),
                "no ack for " + entry.id + " to " + entry.target() + " within " + settings.publishTimeout()
                        + "; retry with the same id", true, entry.room));
        pump();
    }

    private void settle(OfflineQueue.Entry entry) {
        if (entry.inFlightRequest != 0) {
            entry.inFlightRequest = 0;
            inFlight--;
        }
    }

    private void done(OfflineQueue.Entry entry) {
        queue.remove(entry);
        if (entry.timeout != null) {
            entry.timeout.cancel();
        }
    }

    /** The failure of a stored direct message on a gateway that does not store them. */
    static SwitchboardException noInbox() {
        return new SwitchboardException(ErrorCode.BAD_REQUEST,
                "stored direct messages: not supported by this gateway (Connected has no inbox)", false);
    }

    /** Fails everything still queued; later publishes fail at once. */
    void close(SwitchboardException cause) {
        closed = cause;
        for (OfflineQueue.Entry entry : queue.inOrder()) {
            settle(entry);
            done(entry);
            entry.future.completeExceptionally(cause);
        }
    }

    int queued() {
        return queue.size();
    }
}
