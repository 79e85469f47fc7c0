package io.switchboard.gateway;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.Messages;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.service.GrpcServerRuntime;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A RouterService on loopback gRPC for gateway tests: stores envelopes in the real (embedded) Kafka topic and
 * answers with the record's position, like the real router, or injects a fault on demand. Thread-safe.
 */
final class FakeRouter extends RouterServiceGrpc.RouterServiceImplBase implements AutoCloseable {
    enum Mode { KAFKA, UNAVAILABLE, HOLD }

    private final String topic;
    private final String topicId;
    private final KafkaProducer<String, byte[]> producer;
    private final List<Envelope> received = new CopyOnWriteArrayList<>();
    private final Server server;
    private volatile Mode mode = Mode.KAFKA;
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private volatile CountDownLatch holding = new CountDownLatch(1);

    FakeRouter(String bootstrapServers, String topic, String topicId) throws IOException {
        this.topic = topic;
        this.topicId = topicId;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new ByteArraySerializer());
        this.server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(this).build().start();
    }

    int port() {
        return server.getPort();
    }

    void mode(Mode mode) {
        if (mode == Mode.HOLD) {
            hold = new CountDownLatch(1);
            holding = new CountDownLatch(1);
        }
        this.mode = mode;
    }

    /** Waits until a held publish arrived. */
    boolean awaitHeld(Duration timeout) throws InterruptedException {
        return holding.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets held publishes through (to Kafka). */
    void release() {
        mode = Mode.KAFKA;
        hold.countDown();
    }

    List<Envelope> received() {
        return received;
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
        Envelope env = request.getEnvelope();
        received.add(env);
        switch (mode) {
            case UNAVAILABLE -> response.onError(Status.UNAVAILABLE.withDescription("fake: kafka down")
                    .asRuntimeException());
            case HOLD -> {
                holding.countDown();
                if (!FakeGates.passed(hold, response)) {
                    return;
                }
                store(env, response);
            }
            case KAFKA -> store(env, response);
        }
    }

    private void store(Envelope env, StreamObserver<PublishResponse> response) {
        producer.send(new ProducerRecord<>(topic, env.getRoom(), env.toByteArray()), (meta, error) -> {
            if (error != null) {
                response.onError(Status.UNAVAILABLE.withDescription(error.getMessage()).asRuntimeException());
                return;
            }
            long ts = meta.timestamp();
            response.onNext(PublishResponse.newBuilder()
                    .setPosition(Position.newBuilder().setEpoch(RoomLogTopic.epoch(topicId, meta.partition()))
                            .setOffset(meta.offset()))
                    .setStoredTime(Messages.millis(ts))
                    .build());
            response.onCompleted();
        });
    }

    /** Throttles (answers accepted=false to) every ephemeral event while set. */
    volatile boolean throttleEphemerals;

    /** Like the real router: writes the event to the ephemeral topic, keyed by room, with a 6 s ttl. */
    @Override
    public void publishEphemeral(io.switchboard.proto.internal.v1.EphemeralRequest request,
                                  StreamObserver<io.switchboard.proto.internal.v1.EphemeralResponse> response) {
        if (throttleEphemerals) {
            response.onNext(io.switchboard.proto.internal.v1.EphemeralResponse.newBuilder().setAccepted(false).build());
            response.onCompleted();
            return;
        }
        io.switchboard.proto.internal.v1.EphemeralRecord event = request.getEvent().toBuilder().setTtlMs(6000).build();
        producer.send(new ProducerRecord<>(GatewayHarness.EPHEMERAL_TOPIC, event.getRoom(), event.toByteArray()),
                (meta, error) -> {
                    if (error != null) {
                        response.onError(Status.UNAVAILABLE.withDescription(error.getMessage()).asRuntimeException());
                        return;
                    }
                    response.onNext(io.switchboard.proto.internal.v1.EphemeralResponse.newBuilder().setAccepted(true).build());
                    response.onCompleted();
                });
    }

    /** Without presence: delivers to every gateway (empty gateway_ids) and reports 0 devices. */
    @Override
    public void sendToUser(io.switchboard.proto.internal.v1.SendToUserRequest request,
                            StreamObserver<io.switchboard.proto.internal.v1.SendToUserResponse> response) {
        io.switchboard.proto.internal.v1.ControlRecord record = io.switchboard.proto.internal.v1.ControlRecord.newBuilder()
                .setTime(Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000))
                .setDeliver(io.switchboard.proto.Messages.delivery(request))
                .build();
        producer.send(new ProducerRecord<>(GatewayHarness.CONTROL_TOPIC, request.getUserId(), record.toByteArray()),
                (meta, error) -> {
                    if (error != null) {
                        response.onError(Status.UNAVAILABLE.withDescription(error.getMessage()).asRuntimeException());
                        return;
                    }
                    response.onNext(io.switchboard.proto.internal.v1.SendToUserResponse.getDefaultInstance());
                    response.onCompleted();
                });
    }

    /**
     * Stores {@code n} messages of {@code sender} into {@code room} at once, as a router would have stored them
     * (ids {@code prefix-0} on), without waiting for each; returns their positions in order.
     */
    List<Long> storeAll(String room, String sender, String prefix, int n) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Envelope env = Envelope.newBuilder().setId(prefix + "-" + i).setRoom(room)
                    .setSender(Sender.newBuilder().setUserId(sender))
                    .setPayload(ByteString.copyFromUtf8(prefix + " " + i))
                    .build();
            sent.add(producer.send(new ProducerRecord<>(topic, room, env.toByteArray())));
        }
        producer.flush();
        List<Long> positions = new ArrayList<>(n);
        for (Future<RecordMetadata> record : sent) {
            positions.add(record.get(30, TimeUnit.SECONDS).offset());
        }
        return positions;
    }

    /** Writes a record to a topic of the embedded Kafka, as a router or the presence service would. */
    void produce(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }

    /** {@link #produce(String, String, byte[])} into one given partition. */
    void produce(String topic, int partition, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, key, value)).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        hold.countDown();
        try {
            GrpcServerRuntime.stop(server, Duration.ZERO);
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
