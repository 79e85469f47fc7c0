package io.switchboard.proto;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.PublishStreamRequest;
import io.switchboard.proto.internal.v1.PublishStreamResponse;

/**
 * The router's half of {@code RouterService.PublishStream} over a unary publish handler: the requests of one stream
 * are handed to the handler one after the other, in the order they arrived, on gRPC's (serialized) callback
 * thread: the handler only starts a publish (validation, dedup, the send to Kafka) and answers later, so a stream's
 * publishes reach Kafka in send order, which is what keeps a sender's publishes into one room in order. Each
 * request's one answer goes back on the stream with the request's call id, an error as the {@code
 * google.rpc.Status} of the exception the handler answered with (code, description and {@link RouterErrorReason}
 * intact). {@link #drain} makes every open stream answer new requests UNAVAILABLE and complete once its requests
 * are answered; a stream whose sender half-closed completes the same way.
 *
 * <p>Thread-safe: a stream's answers are counted under its own lock and written in that order by one thread at a
 * time, outside the lock (handlers answer from Kafka's threads): a gateway calling in-process with a direct
 * executor runs its answer handling on the writing thread, and that may publish again (a failover) into a stream
 * whose lock another thread holds while it waits to answer here.
 */
public final class PublishStreamServer {
    private static final Logger LOG = Logger.getLogger(PublishStreamServer.class.getName());

    /** A unary publish handler: answers {@code answer} exactly once (onNext and onCompleted, or onError). */
    @FunctionalInterface
    public interface Handler {
        /** @param deadline when the sender gives up; null when it gave none */
        void publish(PublishRequest request, StreamObserver<PublishResponse> answer, Deadline deadline);
    }

    private final Handler handler;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    /** @param handler starts each publish and returns without waiting for its outcome */
    public PublishStreamServer(Handler handler) {
        this.handler = handler;
    }

    /** Serves one stream: what {@code RouterServiceImplBase.publishStream} returns. */
    public StreamObserver<PublishStreamRequest> open(StreamObserver<PublishStreamResponse> responses) {
        Stream stream = new Stream(responses);
        open.add(stream);
        if (draining) {
            stream.drain();
        }
        return stream;
    }

    /** From now on every stream refuses new requests and completes once its requests are answered. Idempotent. */
    public void drain() {
        draining = true;
        open.forEach(Stream::drain);
    }

    /** Streams open now (tests and metrics). */
    public int openStreams() {
        return open.size();
    }

    private final class Stream implements StreamObserver<PublishStreamRequest> {
        private final ServerCallStreamObserver<PublishStreamResponse> responses;
        private final Object lock = new Object();
        // Runs the answers and the completion in the order queued under the lock, one thread at a time, no lock held.
        private final SynchronizationContext writes = new SynchronizationContext((thread, e) ->
                LOG.log(Level.WARNING, "publish stream: writing an answer failed", e));
        // @GuardedBy("lock"): requests received and not yet answered
        private int pending;
        // @GuardedBy("lock"): no new request is served; complete once pending is 0
        private boolean closing;
        // @GuardedBy("lock"): onCompleted or onError was sent, or the sender cancelled
        private boolean ended;

        Stream(StreamObserver<PublishStreamResponse> responses) {
            this.responses = (ServerCallStreamObserver<PublishStreamResponse>) responses;
            // Without a handler, writing to a cancelled call throws; with it, the call just ends.
            this.responses.setOnCancelHandler(() -> {
                synchronized (lock) {
                    ended = true;
                }
                open.remove(this);
            });
        }

        @Override
        public void onNext(PublishStreamRequest request) {
            long callId = request.getCallId();
            boolean refuse;
            synchronized (lock) {
                refuse = closing;
                pending++;
            }
            if (refuse) {
                answer(callId, null, Status.UNAVAILABLE.withDescription("router draining; publish elsewhere")
                        .asRuntimeException());
                return;
            }
            Deadline deadline = request.getTimeoutMs() == 0 ? null
                    : Deadline.after(request.getTimeoutMs(), TimeUnit.MILLISECONDS);
            Answer answer = new Answer(callId);
            try {
                // Here, not on another thread: the next request of the stream starts only after this one did.
                handler.publish(request.getRequest(), answer, deadline);
            } catch (RuntimeException e) {
                answer.onError(Status.INTERNAL.withDescription("publish failed: " + e).asRuntimeException());
            }
        }

        @Override
        public void onError(Throwable t) {
            // The sender's half failed or was cancelled: nobody reads the answers any more.
            synchronized (lock) {
                ended = true;
            }
            open.remove(this);
        }

        @Override
        public void onCompleted() {
            close();
        }

        void drain() {
            close();
        }

        private void close() {
            synchronized (lock) {
                closing = true;
                completeIfDoneLocked();
            }
            writes.drain();
        }

        /** Writes the one answer of {@code callId}: {@code response}, or {@code failure} when it is not null. */
        void answer(long callId, PublishResponse response, Throwable failure) {
            PublishStreamResponse.Builder out = PublishStreamResponse.newBuilder().setCallId(callId);
            if (failure == null) {
                out.setResponse(response);
            } else {
                out.setError(statusOf(failure));
            }
            PublishStreamResponse message = out.build();
            synchronized (lock) {
                pending--;
                if (!ended) {
                    writes.executeLater(() -> responses.onNext(message));
                }
                completeIfDoneLocked();
            }
            writes.drain();
        }

        // @GuardedBy("lock")
        private void completeIfDoneLocked() {
            if (closing && pending == 0 && !ended) {
                ended = true;
                writes.executeLater(responses::onCompleted);
                open.remove(this);
            }
        }

        /** The answer of one request: forwards the handler's single outcome to the stream. */
        private final class Answer implements StreamObserver<PublishResponse> {
            private final long callId;
            private final AtomicBoolean answered = new AtomicBoolean();

            Answer(long callId) {
                this.callId = callId;
            }

            @Override
            public void onNext(PublishResponse response) {
                if (answered.compareAndSet(false, true)) {
                    answer(callId, response, null);
                }
            }

            @Override
            public void onError(Throwable failure) {
                if (answered.compareAndSet(false, true)) {
                    answer(callId, null, failure);
                }
            }

            @Override
            public void onCompleted() {
                if (answered.compareAndSet(false, true)) {
                    answer(callId, null, Status.INTERNAL.withDescription("publish completed without a response")
                            .asRuntimeException());
                }
            }
        }
    }

    /** The status of a failed publish, its details (a router reason) intact. */
    static com.google.rpc.Status statusOf(Throwable failure) {
        com.google.rpc.Status details = StatusProto.fromThrowable(failure);
        if (details != null) {
            return details;
        }
        Status status = Status.fromThrowable(failure);
        return com.google.rpc.Status.newBuilder().setCode(status.getCode().value())
                .setMessage(status.getDescription() == null ? "" : status.getDescription()).build();
    }
}
