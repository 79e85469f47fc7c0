package io.switchboard.gateway.routing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;

/**
 * An in-process RouterService whose answer is scripted (the seam for deterministic fault injection): stores
 * nothing, answers OK with its own name in the epoch, or fails with a status, or holds the call until released.
 * Thread-safe.
 */
final class ScriptedRouter extends RouterServiceGrpc.RouterServiceImplBase {
    enum Mode { OK, UNAVAILABLE, INVALID_ARGUMENT, HOLD }

    final String name;
    private final List<Envelope> received = new CopyOnWriteArrayList<>();
    private final List<StreamObserver<PublishResponse>> held = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.OK;
    private volatile CountDownLatch holding = new CountDownLatch(1);

    ScriptedRouter(String name) {
        this.name = name;
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

    CountDownLatch holding() {
        return holding;
    }

    /** Answers every held call OK. */
    void release() {
        mode = Mode.OK;
        for (StreamObserver<PublishResponse> r : held) {
            ok(r);
        }
        held.clear();
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
        received.add(request.getEnvelope());
        switch (mode) {
            case OK -> ok(response);
            case UNAVAILABLE -> response.onError(Status.UNAVAILABLE.withDescription(name + ": connection refused")
                    .asRuntimeException());
            case INVALID_ARGUMENT -> response.onError(Status.INVALID_ARGUMENT.withDescription(name + ": bad room")
                    .asRuntimeException());
            case HOLD -> {
                held.add(response);
                holding.countDown();
            }
        }
    }

    private void ok(StreamObserver<PublishResponse> response) {
        response.onNext(PublishResponse.newBuilder()
                .setPosition(Position.newBuilder().setEpoch(name).setOffset(received.size())).build());
        response.onCompleted();
    }
}
