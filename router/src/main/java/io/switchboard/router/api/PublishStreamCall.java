package io.switchboard.router.api;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.PublishResult;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One PublishStream call: reads requests only as results go out, at most {@code window} requests without a
 * result, and emits results in request order.
 *
 * <p>Flow control is manual both ways: automatic inbound requests are off, {@code window} messages are requested
 * up front and one more for each result written, but only while the transport {@linkplain
 * ServerCallStreamObserver#isReady() is ready} for more output (else the credit is owed until the on-ready
 * handler runs). So a slow Kafka slows the client's sends and a client that does not read its results stops
 * being read. Publishes complete out of order; a reorder buffer of at most {@code window} results restores
 * request order.
 *
 * <p>A per-message failure (a bad id, a router error) is that message's result and the stream goes on. A
 * stream-level failure (the service's rate limit) stops reading, lets the results of earlier messages go out,
 * then ends the stream with its status; the client resends what had no result, with the same ids.
 *
 * <p>Thread-safe: inbound callbacks arrive serialized from gRPC, completions from any thread; all state and
 * every call on the response observer are guarded by {@code lock}.
 */
final class PublishStreamCall implements StreamObserver<PublishRequest> {
    /** What the stream needs from the service for each message. */
    interface Publisher {
        /** Takes one permit from the caller's rate limit; empty when granted. */
        Optional<StatusRuntimeException> admit();

        /** Publishes one message; completes with its result (failed results included), never exceptionally. */
        CompletableFuture<PublishResult> publish(PublishRequest request);
    }

    private final ServerCallStreamObserver<PublishResult> out;
    private final Publisher publisher;
    private final ApiMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();

    // @GuardedBy("lock")
    private long received;
    private long emitted;
    private final Map<Long, PublishResult> completed = new HashMap<>();
    private int owedRequests;
    private boolean halfClosed;
    private StatusRuntimeException terminal;
    /** The sequence number at which {@code terminal} ends the stream: every earlier result goes out first. */
    private long terminalAt;
    private boolean finished;

    private PublishStreamCall(ServerCallStreamObserver<PublishResult> out, Publisher publisher, ApiMetrics metrics) {
        this.out = out;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    /**
     * Starts flow control on {@code responses} (must run inside the service method, before it returns) and
     * returns the request observer.
     */
    static PublishStreamCall start(StreamObserver<PublishResult> responses, int window, Publisher publisher,
                                   ApiMetrics metrics) {
        ServerCallStreamObserver<PublishResult> out = (ServerCallStreamObserver<PublishResult>) responses;
        PublishStreamCall call = new PublishStreamCall(out, publisher, metrics);
        out.disableAutoRequest();
        out.setOnReadyHandler(call::onReady);
        out.setOnCancelHandler(call::onCancelled);
        out.request(window);
        return call;
    }

    @Override
    public void onNext(PublishRequest request) {
        metrics.streamMessage(ApiMetrics.StreamOutcome.RECEIVED);
        long seq;
        lock.lock();
        try {
            if (finished || terminal != null) {
                // Already read before the stream stopped; the client resends it after the stream ends.
                return;
            }
            seq = received++;
        } finally {
            lock.unlock();
        }
        Optional<StatusRuntimeException> refused = publisher.admit();
        if (refused.isPresent()) {
            stop(seq, refused.get());
            return;
        }
        CompletableFuture<PublishResult> result;
        try {
            result = publisher.publish(request);
        } catch (RuntimeException e) {
            result = CompletableFuture.completedFuture(
                    ApiStatus.failedResult(request.getRoom(), request.getId(), ApiStatus.of(e)));
        }
        result.thenAccept(r -> complete(seq, r));
    }

    @Override
    public void onError(Throwable t) {
        // The client cancelled or the transport failed: nothing more can be sent.
        onCancelled();
    }

    @Override
    public void onCompleted() {
        lock.lock();
        try {
            halfClosed = true;
            drain();
        } finally {
            lock.unlock();
        }
    }

    private void onCancelled() {
        lock.lock();
        try {
            finished = true;
            completed.clear();
        } finally {
            lock.unlock();
        }
    }

    private void onReady() {
        lock.lock();
        try {
            requestOwed();
        } finally {
            lock.unlock();
        }
    }

    private void stop(long seq, StatusRuntimeException status) {
        lock.lock();
        try {
            if (terminal == null) {
                terminal = status;
                terminalAt = seq;
            }
            drain();
        } finally {
            lock.unlock();
        }
    }

    private void complete(long seq, PublishResult result) {
        metrics.streamMessage(result.getErrorCode() == 0
                ? ApiMetrics.StreamOutcome.ACKNOWLEDGED : ApiMetrics.StreamOutcome.FAILED);
        lock.lock();
        try {
            if (finished) {
                return;
            }
            completed.put(seq, result);
            drain();
        } finally {
            lock.unlock();
        }
    }

    /** Writes every result that is next in order, then ends the stream or asks for more. Holds {@code lock}. */
    private void drain() {
        if (finished) {
            return;
        }
        PublishResult next;
        while ((next = completed.remove(emitted)) != null) {
            out.onNext(next);
            emitted++;
            owedRequests++;
        }
        if (terminal != null && emitted == terminalAt) {
            finished = true;
            completed.clear();
            out.onError(terminal);
            return;
        }
        if (halfClosed && terminal == null && emitted == received) {
            finished = true;
            out.onCompleted();
            return;
        }
        requestOwed();
    }

    /** Asks the client for as many messages as results went out, once the transport takes more output. */
    private void requestOwed() {
        if (!finished && terminal == null && !halfClosed && owedRequests > 0 && out.isReady()) {
            int n = owedRequests;
            owedRequests = 0;
            out.request(n);
        }
    }
}
