package io.switchboard.examples.backend;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.PublishResult;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Publishes over one PublishStream, pipelined (it never waits for a result before the next send), and keeps every
 * message until its result arrives. The platform stores one stream's messages into a room in send order. When the
 * stream breaks (network cut, router restart, rate limit) or a message fails with a retriable code, it reconnects
 * with backoff and resends everything unacknowledged, in order and with the same ids: the router recognises those
 * already stored (result.duplicate) so nothing is delivered twice, and the order holds. Sends only while the stream is ready, so a slow Kafka slows this publisher down instead of
 * filling memory. Thread-safe: state under {@code lock}.
 */
final class ReliablePublisher implements AutoCloseable {
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Per-message failures worth a resend: the outcome is unknown, or an earlier message into the room failed. */
    private static final Set<Status.Code> RETRIABLE = EnumSet.of(Status.Code.UNAVAILABLE, Status.Code.ABORTED,
            Status.Code.DEADLINE_EXCEEDED);

    private final SwitchboardApiGrpc.SwitchboardApiStub stub;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // @GuardedBy("lock")
    private final Map<String, PublishRequest> unacked = new LinkedHashMap<>();
    private ClientCallStreamObserver<PublishRequest> stream;
    private boolean broken = true;
    private int acked;
    private int duplicates;

    ReliablePublisher(SwitchboardApiGrpc.SwitchboardApiStub stub) {
        this.stub = stub;
    }

    /** Queues {@code request} and sends it as soon as the stream is ready (blocks while it is not). */
    void publish(PublishRequest request) throws InterruptedException {
        lock.lock();
        try {
            unacked.put(request.getId(), request);
            while (true) {
                if (broken) {
                    reconnect(); // resends everything unacked, this request included
                    return;
                }
                if (stream.isReady()) {
                    stream.onNext(request);
                    return;
                }
                changed.await(1, TimeUnit.SECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every message has a result (resending after breaks), up to {@code timeout}. */
    boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!unacked.isEmpty()) {
                if (broken) {
                    reconnect();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    int acked() {
        lock.lock();
        try {
            return acked;
        } finally {
            lock.unlock();
        }
    }

    int duplicates() {
        lock.lock();
        try {
            return duplicates;
        } finally {
            lock.unlock();
        }
    }

    /** Opens a new stream and resends the unacknowledged messages. Holds {@code lock}. */
    private void reconnect() throws InterruptedException {
        Duration backoff = Duration.ofMillis(100);
        while (broken) {
            CompletableFuture<ClientCallStreamObserver<PublishRequest>> opened = new CompletableFuture<>();
            stub.publishStream(new Results(opened));
            stream = opened.join();
            broken = false;
            List<PublishRequest> resend = new ArrayList<>(unacked.values());
            for (PublishRequest r : resend) {
                while (!broken && !stream.isReady()) {
                    changed.await(1, TimeUnit.SECONDS);
                }
                if (broken) {
                    break;
                }
                stream.onNext(r);
            }
            if (broken) {
                changed.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (stream != null && !broken) {
                stream.onCompleted();
            }
            broken = true;
        } finally {
            lock.unlock();
        }
    }

    /** One stream's results; a stream that ends with an error marks the publisher broken. */
    private final class Results implements ClientResponseObserver<PublishRequest, PublishResult> {
        private final CompletableFuture<ClientCallStreamObserver<PublishRequest>> opened;
        private ClientCallStreamObserver<PublishRequest> mine;

        Results(CompletableFuture<ClientCallStreamObserver<PublishRequest>> opened) {
            this.opened = opened;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<PublishRequest> requestStream) {
            mine = requestStream;
            requestStream.setOnReadyHandler(this::signal);
            opened.complete(requestStream);
        }

        @Override
        public void onNext(PublishResult result) {
            lock.lock();
            try {
                Status.Code code = Status.fromCodeValue(result.getErrorCode()).getCode();
                if (RETRIABLE.contains(code)) {
                    // Outcome unknown, or refused because an earlier message into its room failed: resend it and
                    // everything after it, in order, on a new stream (ids unchanged, so stored ones come back as
                    // duplicates), which keeps the rooms' order.
                    System.err.printf("%s failed: %s %s; resending from it%n", result.getId(), code,
                            result.getErrorMessage());
                    if (stream == mine && !broken) {
                        broken = true;
                        mine.cancel("resending in order after a retriable failure", null);
                    }
                    changed.signalAll();
                    return;
                }
                if (result.getErrorCode() != 0) {
                    // A final per-message failure (a bad id, a payload too large): drop it, as a real backend would
                    // after logging it.
                    System.err.printf("%s failed: %s %s%n", result.getId(), code, result.getErrorMessage());
                } else {
                    acked++;
                    if (result.getDuplicate()) {
                        duplicates++;
                    }
                }
                unacked.remove(result.getId());
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onError(Throwable t) {
            System.err.println("stream broke: " + Status.fromThrowable(t) + "; resending unacknowledged messages");
            lock.lock();
            try {
                if (stream == mine) {
                    broken = true;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onCompleted() {
            signal();
        }

        private void signal() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
