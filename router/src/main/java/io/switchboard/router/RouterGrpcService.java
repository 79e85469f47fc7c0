package io.switchboard.router;

import io.grpc.stub.StreamObserver;
import io.switchboard.proto.PublishStreamServer;
import io.switchboard.proto.internal.v1.ControlRequest;
import io.switchboard.proto.internal.v1.ControlResponse;
import io.switchboard.proto.internal.v1.EphemeralRequest;
import io.switchboard.proto.internal.v1.EphemeralResponse;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.PublishStreamRequest;
import io.switchboard.proto.internal.v1.PublishStreamResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.SendToUserResponse;

/**
 * The router's {@code RouterService}: one gRPC service whose methods are handled by one class each ({@link
 * PublishService}, {@link EphemeralService}, {@link DirectMessageService}, {@link ControlService}); a
 * {@code PublishStream}'s requests each go to the {@link PublishService} like a {@code Publish} call, in the
 * order they arrived, through a {@link PublishStreamServer} ({@link #drain()} completes the open streams).
 * Thread-safe, as its handlers are.
 */
final class RouterGrpcService extends RouterServiceGrpc.RouterServiceImplBase {
    private final PublishService publish;
    private final EphemeralService ephemeral;
    private final DirectMessageService direct;
    private final ControlService control;
    private final PublishStreamServer publishStreams;
    private final RouterSpans spans;

    /** @param spans the span of each publish, whether it comes alone or on a stream */
    RouterGrpcService(PublishService publish, EphemeralService ephemeral, DirectMessageService direct,
                      ControlService control, RouterSpans spans) {
        this.publish = publish;
        this.spans = spans;
        this.publishStreams = new PublishStreamServer((request, answer, deadline) -> spans.publish(request, answer,
                (r, a) -> publish.publish(r, a, deadline)));
        this.ephemeral = ephemeral;
        this.direct = direct;
        this.control = control;
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
        spans.publish(request, response, publish::publish);
    }

    @Override
    public StreamObserver<PublishStreamRequest> publishStream(StreamObserver<PublishStreamResponse> responses) {
        return publishStreams.open(responses);
    }

    /** Publish streams answer new requests UNAVAILABLE and complete once their requests are answered. */
    void drain() {
        publishStreams.drain();
    }

    @Override
    public void publishEphemeral(EphemeralRequest request, StreamObserver<EphemeralResponse> response) {
        ephemeral.publishEphemeral(request, response);
    }

    @Override
    public void sendToUser(SendToUserRequest request, StreamObserver<SendToUserResponse> response) {
        direct.sendToUser(request, response);
    }

    @Override
    public void sendControl(ControlRequest request, StreamObserver<ControlResponse> response) {
        control.sendControl(request, response);
    }
}
