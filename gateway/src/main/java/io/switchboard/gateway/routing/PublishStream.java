package io.switchboard.gateway.routing;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.PublishStreamRequest;
import io.switchboard.proto.internal.v1.PublishStreamResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.service.GrpcFutures;

/**
 * The publishes to one router over one long-lived {@code RouterService.PublishStream} instead of a unary call
 * each: a unary call costs a new HTTP/2 stream, request and response headers, a deadline timer and call objects on
 * both ends, which the profile put at a quarter of the platform's CPU per publish. Every publish gets a call id
 * and its own deadline: when the deadline passes first, its future fails DEADLINE_EXCEEDED (the router skips the
 * request if it had not started it), exactly as a unary call's would. The stream opens with the first publish;
 * when it ends (the router drained, restarted or became unreachable) every publish still waiting on it fails with
 * the stream's status (UNAVAILABLE for a lost connection or a completed stream), in the order they were sent, which
 * the caller treats as a failed unary call (failover, breaker), and the next publish opens a new stream. Requests
 * go out in the order {@link #publish} is called, and the router starts them in that order. A router that does not know
 * {@code PublishStream} (an older version) answers UNIMPLEMENTED: the waiting publishes and all later ones go as
 * unary calls.
 *
 * <p>Thread-safe: requests are numbered and queued under one lock and written in that order by one thread at a time
 * (a gRPC call is not thread-safe), outside the lock: a router called in-process with its handler inline runs
 * that handler on the writing thread, and it may answer at once, end the stream or fail a publish over to another
 * router, none of which may wait for this lock while another thread holds it to write into that router. Answers
 * arrive on gRPC's callback threads (or the router's, inline), deadlines on the {@code timer}.
 */
final class PublishStream {
    private static final Logger LOG = Logger.getLogger(PublishStream.class.getName());

    private final String router;
    private final RouterServiceGrpc.RouterServiceStub stub;
    private final ScheduledExecutorService timer;
    private final Object lock = new Object();
    // Runs the call's starts, requests and half-close in the order queued, on one thread at a time, no lock held.
    private final SynchronizationContext writes = new SynchronizationContext((thread, e) ->
            LOG.log(Level.WARNING, "publish stream to a router: writing failed", e));
    // @GuardedBy("lock"): the stream new publishes go to; null until the first, and after it ended
    private Open current;
    // @GuardedBy("lock")
    private long nextCallId;
    // @GuardedBy("lock"): set by close(); no stream is opened any more
    private boolean closed;
    // Set once when the router answered UNIMPLEMENTED.
    private volatile boolean unary;

    PublishStream(String router, RouterServiceGrpc.RouterServiceStub stub, ScheduledExecutorService timer) {
        this.router = router;
        this.stub = stub;
        this.timer = timer;
    }

    /**
     * Publishes {@code request}; the future fails with a gRPC {@code StatusRuntimeException} (a router's reason
     * intact) like a unary call's. Never blocks.
     */
    CompletableFuture<PublishResponse> publish(PublishRequest request, Deadline deadline) {
        if (unary) {
            return unaryCall(request, deadline);
        }
        Pending pending = new Pending(request, deadline);
        long timeLeft = deadline.timeRemaining(TimeUnit.NANOSECONDS);
        if (timeLeft <= 0) {
            return CompletableFuture.failedFuture(Status.DEADLINE_EXCEEDED
                    .withDescription("deadline exceeded before the publish was sent").asRuntimeException());
        }
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(Status.UNAVAILABLE
                        .withDescription("router " + router + " retired").asRuntimeException());
            }
            // Open until ended() takes it out under this lock; an ending that comes later finds this publish
            // pending and fails it (or sends it unary), whichever thread writes it.
            Open stream = current != null ? current : openLocked();
            long callId = ++nextCallId;
            stream.pending.put(callId, pending);
            pending.expiry = timer.schedule(() -> stream.expire(callId), timeLeft, TimeUnit.NANOSECONDS);
            PublishStreamRequest message = PublishStreamRequest.newBuilder()
                    .setCallId(callId)
                    .setRequest(request)
                    .setTimeoutMs((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeLeft)))
                    .build();
            // stream.requests is read when this runs: beforeStart set it in the start queued ahead of it.
            writes.executeLater(() -> stream.requests.onNext(message));
        }
        writes.drain();
        return pending.result;
    }

    // @GuardedBy("lock")
    private Open openLocked() {
        Open opened = new Open();
        current = opened;
        writes.executeLater(() -> stub.publishStream(opened));
        return opened;
    }

    /** Half-closes the stream: the router answers what it has and completes it; later publishes fail. */
    void close() {
        Open stream;
        synchronized (lock) {
            closed = true;
            stream = current;
            current = null;
            if (stream != null) {
                writes.executeLater(() -> stream.requests.onCompleted());
            }
        }
        writes.drain();
    }

    private CompletableFuture<PublishResponse> unaryCall(PublishRequest request, Deadline deadline) {
        return GrpcFutures.unary("router " + router, r -> stub.withDeadline(deadline).publish(request, r));
    }

    /** A publish waiting for its answer. */
    private static final class Pending {
        final PublishRequest request;
        final Deadline deadline;
        final CompletableFuture<PublishResponse> result = new CompletableFuture<>();
        // Written under the stream's lock right after the pending entry; read by whoever completes it.
        volatile ScheduledFuture<?> expiry;

        Pending(PublishRequest request, Deadline deadline) {
            this.request = request;
            this.deadline = deadline;
        }

        void cancelExpiry() {
            ScheduledFuture<?> e = expiry;
            if (e != null) {
                e.cancel(false);
            }
        }
    }

    /** One opened stream and the publishes waiting on it. */
    private final class Open implements ClientResponseObserver<PublishStreamRequest, PublishStreamResponse> {
        final Map<Long, Pending> pending = new ConcurrentHashMap<>();
        ClientCallStreamObserver<PublishStreamRequest> requests;

        @Override
        public void beforeStart(ClientCallStreamObserver<PublishStreamRequest> requestStream) {
            requests = requestStream;
        }

        @Override
        public void onNext(PublishStreamResponse answer) {
            Pending p = pending.remove(answer.getCallId());
            if (p == null) {
                return; // its deadline passed first
            }
            p.cancelExpiry();
            if (answer.hasError()) {
                p.result.completeExceptionally(StatusProto.toStatusRuntimeException(answer.getError()));
            } else {
                p.result.complete(answer.getResponse());
            }
        }

        @Override
        public void onError(Throwable t) {
            ended(t);
        }

        @Override
        public void onCompleted() {
            ended(Status.UNAVAILABLE.withDescription("router " + router + " ended the publish stream")
                    .asRuntimeException());
        }

        void expire(long callId) {
            Pending p = pending.remove(callId);
            if (p != null) {
                p.result.completeExceptionally(Status.DEADLINE_EXCEEDED
                        .withDescription("no answer from router " + router + " within the deadline")
                        .asRuntimeException());
            }
        }

        /** The stream is over: the publishes still waiting on it fail with its status, or go unary. */
        private void ended(Throwable t) {
            synchronized (lock) {
                if (current == this) {
                    current = null;
                }
            }
            boolean unimplemented = Status.fromThrowable(t).getCode() == Status.Code.UNIMPLEMENTED;
            if (unimplemented) {
                unary = true;
            }
            // Entries are added under the lock only while the stream is `current`, so none is added from here on.
            // In call order: a failover resends them in that order, so the next router stores them in send order.
            for (Long callId : pending.keySet().stream().sorted().toList()) {
                Pending p = pending.remove(callId);
                if (p == null) {
                    continue;
                }
                p.cancelExpiry();
                if (unimplemented) {
                    unaryCall(p.request, p.deadline).whenComplete((r, f) -> {
                        if (f != null) {
                            p.result.completeExceptionally(f);
                        } else {
                            p.result.complete(r);
                        }
                    });
                } else {
                    p.result.completeExceptionally(t);
                }
            }
        }
    }
}
