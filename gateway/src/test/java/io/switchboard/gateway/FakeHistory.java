package io.switchboard.gateway;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.roomlog.RoomRecords;
import io.switchboard.service.GrpcServerRuntime;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A HistoryService on loopback gRPC for gateway tests. Its "store" is the real (embedded) Kafka topic, read afresh
 * on every call, so it answers like a history service that has ingested everything. Faults are injected on demand:
 * a fixed status for every call, or holding calls until {@link #release()}. Counts calls. Thread-safe.
 */
final class FakeHistory extends HistoryServiceGrpc.HistoryServiceImplBase implements AutoCloseable {
    enum Mode { KAFKA, UNAVAILABLE, OUT_OF_RANGE, FAILED_PRECONDITION }

    private final String bootstrapServers;
    private final RoomLogTopic layout;
    private final Server server;
    private final List<ReadRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.KAFKA;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile CountDownLatch arrived = new CountDownLatch(1);

    FakeHistory(String bootstrapServers, RoomLogTopic layout) throws IOException {
        this.bootstrapServers = bootstrapServers;
        this.layout = layout;
        this.server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(this).build().start();
    }

    int port() {
        return server.getPort();
    }

    void mode(Mode mode) {
        this.mode = mode;
    }

    /** Calls from now on wait in {@link #read} until {@link #release()}. */
    void hold() {
        arrived = new CountDownLatch(1);
        gate = new CountDownLatch(1);
    }

    boolean awaitHeld(Duration timeout) throws InterruptedException {
        return arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void release() {
        gate.countDown();
    }

    /** Every read received, in arrival order. */
    List<ReadRequest> requests() {
        return requests;
    }

    long readsOf(String room) {
        return requests.stream().filter(r -> r.getRoom().equals(room)).count();
    }

    @Override
    public void read(ReadRequest request, StreamObserver<ReadResponse> response) {
        requests.add(request);
        arrived.countDown();
        if (!FakeGates.passed(gate, response)) {
            return;
        }
        switch (mode) {
            case UNAVAILABLE -> response.onError(Status.UNAVAILABLE.withDescription("fake: store down").asRuntimeException());
            case OUT_OF_RANGE -> response.onError(Status.OUT_OF_RANGE.withDescription("fake: oldest retained 1000")
                    .asRuntimeException());
            case FAILED_PRECONDITION -> response.onError(Status.FAILED_PRECONDITION.withDescription("fake: epoch")
                    .asRuntimeException());
            case KAFKA -> serve(request, response);
        }
    }

    private void serve(ReadRequest request, StreamObserver<ReadResponse> response) {
        String room = request.getRoom();
        String epoch = layout.epochOf(room);
        if (!request.getEpoch().isEmpty() && !request.getEpoch().equals(epoch)) {
            response.onError(Status.FAILED_PRECONDITION.withDescription("epoch: " + request.getEpoch()
                    + " (expected: " + epoch + ")").asRuntimeException());
            return;
        }
        List<Envelope> all = stored(room, epoch);
        if (all.isEmpty()) {
            response.onError(Status.NOT_FOUND.withDescription("no messages in " + room).asRuntimeException());
            return;
        }
        int limit = request.getLimit() == 0 ? 100 : request.getLimit();
        long pos = request.getFromStart() ? -1 : request.getPosition();
        List<Envelope> page;
        boolean hasMore;
        long count = 0;
        switch (request.getDirection()) {
            case READ_AFTER -> {
                List<Envelope> after = all.stream().filter(e -> e.getPosition().getOffset() > pos)
                        .filter(e -> request.getUntil() == 0 || e.getPosition().getOffset() < request.getUntil())
                        .toList();
                page = after.subList(0, Math.min(limit, after.size()));
                hasMore = after.size() > limit;
                count = request.getCount() ? after.size() : 0;
            }
            case READ_BEFORE -> {
                List<Envelope> before = all.stream().filter(e -> e.getPosition().getOffset() < pos).toList();
                page = before.subList(Math.max(0, before.size() - limit), before.size());
                hasMore = before.size() > limit;
            }
            default -> {
                page = all.subList(Math.max(0, all.size() - limit), all.size());
                hasMore = all.size() > limit;
            }
        }
        response.onNext(ReadResponse.newBuilder().setEpoch(epoch).addAllMessages(page).setHasMore(hasMore)
                .setOldestPosition(all.getFirst().getPosition().getOffset()).setCount(count).build());
        response.onCompleted();
    }

    /** Every record of {@code room} now in its partition, as stored envelopes. */
    private List<Envelope> stored(String room, String epoch) {
        TopicPartition tp = new TopicPartition(layout.name(), layout.partitionOf(room));
        List<Envelope> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    if (!room.equals(rec.key())) {
                        continue;
                    }
                    try {
                        out.add(RoomRecords.storedEnvelope(room, rec.value(), epoch, rec.offset(), rec.timestamp()));
                    } catch (InvalidProtocolBufferException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        gate.countDown();
        GrpcServerRuntime.stop(server, Duration.ZERO);
    }
}
