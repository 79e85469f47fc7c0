package io.switchboard.gateway.routing;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.grpc.Deadline;
import io.grpc.Status;
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
 * <p>Thread-safe: requests are written under one lock (a gRPC call is not thread-safe); answers arrive on gRPC's
 * callback threads and deadlines on the {@code timer}.
 */
final class PublishStream {
    private final String router;
    private final RouterServiceGrpc.RouterServiceStub stub;
    private final ScheduledExecutorService timer;
    private final Object lock = new Object();
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
            Open stream = current != null ? current : openLocked();
            if (stream.endedWith != null) {
                // It ended while being opened (an in-process router may answer at once): fail like a lost call.
                return unary ? unaryCall(request, deadline) : CompletableFuture.failedFuture(stream.endedWith);
            }
            long callId = ++nextCallId;
            stream.pending.put(callId, pending);
            pending.expiry = timer.schedule(() -> stream.expire(callId), timeLeft, TimeUnit.NANOSECONDS);
            stream.requests.onNext(PublishStreamRequest.newBuilder()
                    .setCallId(callId)
                    .setRequest(request)
                    .setTimeoutMs((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeLeft)))
                    .build());
        }
        return pending.result;
    }

    // @GuardedBy("lock")
    private Open openLocked() {
        Open opened = new Open();
        current = opened;
        stub.publishStream(opened);
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
                stream.requests.onCompleted();
            }
        }
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
        // @GuardedBy("lock"): how the stream ended, or null while it is open
        Throwable endedWith;

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
                endedWith = t;
                if (current == this) {
                    current = null;
                }
            }
            boolean unimplemented = Status.fromThrowable(t).getCode() == Status.Code.UNIMPLEMENTED;
            if (unimplemented) {
                unary = true;
            }
            // Entries are added under the lock only while the stream has not ended, so none is added from here on.
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
