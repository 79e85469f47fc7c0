package io.switchboard.bench.api;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.PublishResult;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import io.switchboard.testkit.Subprotocol;
import io.switchboard.testkit.WsTestClient;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * PublishStream through a running stack: one stream publishes {@code messages} messages to one room as fast as
 * the stream lets it (it writes only while the stream is ready, so the server's window paces it), recording
 * the publish-to-ack time of each; {@code subscribers} WebSocket clients on a gateway confirm delivery. Reports
 * msgs/s (first send to last ack) and ack latency p50/p99. A benchmark, not a test. Not thread-safe: one run at
 * a time.
 *
 * @param target      the router's gRPC address, host:port
 * @param token       a service token with scope "publish"
 * @param gateway     a gateway WebSocket URL for the subscribers (empty: no subscribers)
 * @param clientToken the subscribers' client token
 * @param subscribers how many WebSocket subscribers
 * @param messages    how many messages to publish
 * @param payloadBytes payload size
 * @param room        the room
 * @param timeout     how long acks and deliveries may take in all
 */
public record ApiStreamBenchmark(String target, String token, Optional<URI> gateway, String clientToken,
                                 int subscribers, int messages, int payloadBytes, String room, Duration timeout) {

    /** What one run measured. */
    public record Result(int messages, int acked, int failed, long elapsedNanos, Histogram ackMicros,
                         long delivered, long expectedDeliveries, Optional<Status> streamError) {
        public double messagesPerSecond() {
            return elapsedNanos == 0 ? 0 : acked * 1e9 / elapsedNanos;
        }

        void print(PrintStream out) {
            out.printf("| messages | acked | failed | msgs/s | ack p50 ms | ack p99 ms | delivered/expected |%n");
            out.printf("|---|---|---|---|---|---|---|%n");
            out.printf("| %d | %d | %d | %.0f | %.2f | %.2f | %d/%d |%n", messages, acked, failed, messagesPerSecond(),
                    ackMicros.getValueAtPercentile(50) / 1000.0, ackMicros.getValueAtPercentile(99) / 1000.0,
                    delivered, expectedDeliveries);
            streamError.ifPresent(s -> out.println("stream ended with " + s));
        }
    }

    public Result run(PrintStream out) throws InterruptedException {
        List<WsTestClient> clients = new ArrayList<>();
        LongAdder delivered = new LongAdder();
        ManagedChannel channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
        try {
            if (gateway.isPresent()) {
                for (int i = 0; i < subscribers; i++) {
                    WsTestClient client = WsTestClient.connected(gateway.get(), Subprotocol.PROTO, clientToken);
                    clients.add(client);
                    client.subscribeAndWait(room, Duration.ofSeconds(10));
                    client.divert(frame -> {
                        if (frame.hasMessage()) {
                            delivered.increment();
                        }
                    });
                }
            }
            out.printf("api-stream: %d messages of %d bytes to %s via %s, %d subscriber(s)%n", messages, payloadBytes,
                    room, target, clients.size());
            Result result = publishAll(channel, delivered, (long) messages * clients.size());
            result.print(out);
            return result;
        } finally {
            clients.forEach(WsTestClient::close);
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private Result publishAll(ManagedChannel channel, LongAdder delivered, long expected) throws InterruptedException {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        var stub = SwitchboardApiGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        long[] sentAt = new long[messages];
        Recorder ackMicros = new Recorder(3);
        AtomicLong lastAck = new AtomicLong();
        LongAdder acked = new LongAdder();
        LongAdder failed = new LongAdder();
        ReentrantLock lock = new ReentrantLock();
        Condition ready = lock.newCondition();
        CompletableFuture<Optional<Status>> ended = new CompletableFuture<>();
        CompletableFuture<ClientCallStreamObserver<PublishRequest>> opened = new CompletableFuture<>();
        String run = Long.toHexString(System.nanoTime());

        stub.publishStream(new ClientResponseObserver<PublishRequest, PublishResult>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<PublishRequest> stream) {
                stream.setOnReadyHandler(() -> signal(lock, ready));
                opened.complete(stream);
            }

            @Override
            public void onNext(PublishResult result) {
                long now = System.nanoTime();
                int i = Integer.parseInt(result.getId().substring(result.getId().lastIndexOf('-') + 1));
                if (result.getErrorCode() == 0) {
                    acked.increment();
                    ackMicros.recordValue(Math.max(0, (now - sentAt[i]) / 1000));
                } else {
                    failed.increment();
                }
                lastAck.set(now);
            }

            @Override
            public void onError(Throwable t) {
                ended.complete(Optional.of(Status.fromThrowable(t)));
                signal(lock, ready);
            }

            @Override
            public void onCompleted() {
                ended.complete(Optional.empty());
            }
        });
        ClientCallStreamObserver<PublishRequest> stream = opened.join();
        ByteString payload = ByteString.copyFrom(new byte[payloadBytes]);
        long start = System.nanoTime();
        for (int i = 0; i < messages && !ended.isDone(); i++) {
            lock.lock();
            try {
                while (!stream.isReady() && !ended.isDone()) {
                    ready.await(100, TimeUnit.MILLISECONDS);
                }
            } finally {
                lock.unlock();
            }
            sentAt[i] = System.nanoTime();
            stream.onNext(PublishRequest.newBuilder().setRoom(room).setId(run + "-" + i).setPayload(payload).build());
        }
        if (!ended.isDone()) {
            stream.onCompleted();
        }
        Optional<Status> error;
        try {
            error = ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            error = Optional.of(Status.DEADLINE_EXCEEDED.withDescription("no end of stream within " + timeout));
            stream.cancel("benchmark timeout", e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (delivered.sum() < expected && System.nanoTime() < deadline) {
            lock.lock();
            try {
                ready.await(50, TimeUnit.MILLISECONDS);
            } finally {
                lock.unlock();
            }
        }
        return new Result(messages, (int) acked.sum(), (int) failed.sum(), Math.max(0, lastAck.get() - start),
                ackMicros.getIntervalHistogram(), delivered.sum(), expected, error);
    }

    private static void signal(ReentrantLock lock, Condition ready) {
        lock.lock();
        try {
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
