package io.switchboard.bench.api;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.PublishResult;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc.SwitchboardApiStub;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * How one benchmark variant publishes {@code messages} messages with at most {@code window} unacknowledged at
 * any time, recording each message's publish-to-ack time (from handing it to gRPC to its result arriving).
 * Both variants keep exactly the same number of messages outstanding, so they differ only in the transport:
 * one PublishStream versus one unary Publish call per message. Implementations are not thread-safe: one run
 * at a time.
 */
interface PublishVariant {
    /** The row name in the table. */
    String label();

    /** Publishes and waits for every result (or {@code timeout}); never throws for a failed publish. */
    Outcome publish(SwitchboardApiStub stub, String room, String runId, int messages, ByteString payload, int window,
                    Duration timeout) throws InterruptedException;

    /** What one publish run measured; {@code elapsedNanos} is from the first send to the last result. */
    record Outcome(int acked, int failed, long elapsedNanos, org.HdrHistogram.Histogram ackMicros,
                   Optional<Status> streamError) {
    }

    /** One PublishStream for every message; the server's window and the client's both bound what is in flight. */
    static PublishVariant stream() {
        return new PublishVariant() {
            @Override
            public String label() {
                return "PublishStream";
            }

            @Override
            public Outcome publish(SwitchboardApiStub stub, String room, String runId, int messages, ByteString payload,
                                   int window, Duration timeout) throws InterruptedException {
                Semaphore outstanding = new Semaphore(window);
                Semaphore ready = new Semaphore(0);
                long[] sentAt = new long[messages];
                Counters c = new Counters();
                CompletableFuture<Optional<Status>> ended = new CompletableFuture<>();
                CompletableFuture<ClientCallStreamObserver<PublishRequest>> opened = new CompletableFuture<>();
                stub.publishStream(new ClientResponseObserver<PublishRequest, PublishResult>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<PublishRequest> stream) {
                        stream.setOnReadyHandler(ready::release);
                        opened.complete(stream);
                    }

                    @Override
                    public void onNext(PublishResult result) {
                        c.result(result, sentAt[index(result.getId())]);
                        outstanding.release();
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(Optional.of(Status.fromThrowable(t)));
                        outstanding.release(window);
                        ready.release();
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(Optional.empty());
                    }
                });
                ClientCallStreamObserver<PublishRequest> stream = opened.join();
                c.start();
                for (int i = 0; i < messages && !ended.isDone(); i++) {
                    outstanding.acquire();
                    // isReady is gRPC's transport flow control; the on-ready handler wakes us when it flips.
                    while (!stream.isReady() && !ended.isDone()) {
                        ready.tryAcquire(100, TimeUnit.MILLISECONDS);
                    }
                    sentAt[i] = System.nanoTime();
                    stream.onNext(PublishRequest.newBuilder().setRoom(room).setId(runId + "-" + i)
                            .setPayload(payload).build());
                }
                if (!ended.isDone()) {
                    stream.onCompleted();
                }
                Optional<Status> error;
                try {
                    error = ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    error = Optional.of(Status.DEADLINE_EXCEEDED.withDescription("stream not ended within " + timeout));
                    stream.cancel("benchmark timeout", e);
                }
                return c.outcome(error);
            }
        };
    }

    /** One unary Publish call per message, at most {@code window} calls in flight: the baseline. */
    static PublishVariant unary() {
        return new PublishVariant() {
            @Override
            public String label() {
                return "unary Publish (baseline)";
            }

            @Override
            public Outcome publish(SwitchboardApiStub stub, String room, String runId, int messages, ByteString payload,
                                   int window, Duration timeout) throws InterruptedException {
                Semaphore outstanding = new Semaphore(window);
                Counters c = new Counters();
                AtomicReference<Status> error = new AtomicReference<>();
                c.start();
                for (int i = 0; i < messages; i++) {
                    outstanding.acquire();
                    long sentAt = System.nanoTime();
                    stub.publish(PublishRequest.newBuilder().setRoom(room).setId(runId + "-" + i).setPayload(payload)
                            .build(), new StreamObserver<>() {
                        @Override
                        public void onNext(PublishResult result) {
                            c.result(result, sentAt);
                        }

                        @Override
                        public void onError(Throwable t) {
                            c.failed.increment();
                            error.compareAndSet(null, Status.fromThrowable(t));
                            outstanding.release();
                        }

                        @Override
                        public void onCompleted() {
                            outstanding.release();
                        }
                    });
                }
                if (!outstanding.tryAcquire(window, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    return c.outcome(Optional.of(Status.DEADLINE_EXCEEDED.withDescription(
                            "results missing after " + timeout)));
                }
                return c.outcome(Optional.ofNullable(error.get()));
            }
        };
    }

    private static int index(String id) {
        return Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
    }

    /** Results as they arrive, from gRPC threads. Thread-safe. */
    final class Counters {
        private final Recorder ackMicros = new Recorder(3);
        private final LongAdder acked = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final AtomicLong lastResult = new AtomicLong();
        private volatile long start;

        void start() {
            start = System.nanoTime();
        }

        void result(PublishResult result, long sentAt) {
            long now = System.nanoTime();
            if (result.getErrorCode() == 0) {
                acked.increment();
                ackMicros.recordValue(Math.max(0, (now - sentAt) / 1000));
            } else {
                failed.increment();
            }
            lastResult.accumulateAndGet(now, Math::max);
        }

        Outcome outcome(Optional<Status> error) {
            return new Outcome((int) acked.sum(), (int) failed.sum(), Math.max(0, lastResult.get() - start),
                    ackMicros.getIntervalHistogram(), error);
        }
    }
}
