package io.switchboard.gateway.routing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.PublishStreamServer;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishSequence;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.PublishStreamRequest;
import io.switchboard.proto.internal.v1.PublishStreamResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;

/**
 * An in-process RouterService whose answer is scripted (the seam for deterministic fault injection): stores
 * nothing, answers OK with its own name in the epoch, or fails with a status, or holds the call until released.
 * Publish streams are served by the router's own {@link PublishStreamServer} over the same scripted publish, unless
 * the router is built without them (an older router: UNIMPLEMENTED). Thread-safe.
 */
final class ScriptedRouter extends RouterServiceGrpc.RouterServiceImplBase {
    enum Mode { OK, UNAVAILABLE, INVALID_ARGUMENT, HOLD }

    final String name;
    private final List<Envelope> received = new CopyOnWriteArrayList<>();
    private final List<PublishSequence> sequences = new CopyOnWriteArrayList<>();
    private final List<String> markedFailover = new CopyOnWriteArrayList<>();
    private record Held(Envelope envelope, StreamObserver<PublishResponse> response) {
    }

    private final List<Held> held = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.OK;
    private volatile CountDownLatch holding = new CountDownLatch(1);

    private final PublishStreamServer streams = new PublishStreamServer((request, answer, deadline) ->
            publish(request, answer));
    private final boolean servesStreams;

    ScriptedRouter(String name) {
        this(name, true);
    }

    ScriptedRouter(String name, boolean servesStreams) {
        this.name = name;
        this.servesStreams = servesStreams;
    }

    /** Like a draining router: open streams refuse new requests and complete once answered. */
    void drain() {
        streams.drain();
    }

    int openStreams() {
        return streams.openStreams();
    }

    void mode(Mode mode) {
        if (mode == Mode.HOLD) {
            holding = new CountDownLatch(1);
        }
        this.mode = mode;
    }

    List<Envelope> received() {
        return received;
    }

    /** The lane sequences of the publishes received, in the order received (those without a lane left out). */
    List<PublishSequence> sequences() {
        return sequences;
    }

    /** The ids of the publishes received marked {@code failover} (they may repeat one stored elsewhere). */
    List<String> markedFailover() {
        return markedFailover;
    }

    CountDownLatch holding() {
        return holding;
    }

    /** Calls held now (each is in {@link #received} before it is held). */
    int held() {
        return held.size();
    }

    /** Answers every held call OK, in the order they arrived. */
    void release() {
        mode = Mode.OK;
        for (Held h : held) {
            ok(h.envelope(), h.response());
        }
        held.clear();
    }

    /** Answers every held call OK, the last to arrive first. */
    void releaseNewestFirst() {
        mode = Mode.OK;
        for (Held h : held.reversed()) {
            ok(h.envelope(), h.response());
        }
        held.clear();
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
        received.add(request.getEnvelope());
        if (request.hasSequence()) {
            sequences.add(request.getSequence());
        }
        if (request.getFailover()) {
            markedFailover.add(request.getEnvelope().getId());
        }
        switch (mode) {
            case OK -> ok(request.getEnvelope(), response);
            case UNAVAILABLE -> response.onError(Status.UNAVAILABLE.withDescription(name + ": connection refused")
                    .asRuntimeException());
            case INVALID_ARGUMENT -> response.onError(Status.INVALID_ARGUMENT.withDescription(name + ": bad room")
                    .asRuntimeException());
            case HOLD -> {
                held.add(new Held(request.getEnvelope(), response));
                holding.countDown();
            }
        }
    }

    @Override
    public StreamObserver<PublishStreamRequest> publishStream(StreamObserver<PublishStreamResponse> responses) {
        return servesStreams ? streams.open(responses) : super.publishStream(responses);
    }

    /** Answers OK: the router's name as the epoch, the request's place among those received as the position. */
    private void ok(Envelope envelope, StreamObserver<PublishResponse> response) {
        response.onNext(PublishResponse.newBuilder().setPosition(Position.newBuilder().setEpoch(name)
                .setOffset(received.indexOf(envelope) + 1)).build());
        response.onCompleted();
    }
}
