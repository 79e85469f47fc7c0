package io.switchboard.router;

import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.ControlRequest;
import io.switchboard.proto.internal.v1.ControlResponse;
import io.switchboard.proto.internal.v1.EphemeralRequest;
import io.switchboard.proto.internal.v1.EphemeralResponse;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.SendToUserResponse;

/**
 * The router's {@code RouterService}: one gRPC service whose methods are handled by one class each ({@link
 * PublishService}, {@link EphemeralService}, {@link DirectMessageService}, {@link ControlService}).
 * Thread-safe, as its handlers are.
 */
final class RouterGrpcService extends RouterServiceGrpc.RouterServiceImplBase {
    private final PublishService publish;
    private final EphemeralService ephemeral;
    private final DirectMessageService direct;
    private final ControlService control;

    RouterGrpcService(PublishService publish, EphemeralService ephemeral, DirectMessageService direct,
                      ControlService control) {
        this.publish = publish;
        this.ephemeral = ephemeral;
        this.direct = direct;
        this.control = control;
    }

    @Override
    public void publish(PublishRequest request, StreamObserver<PublishResponse> response) {
        publish.publish(request, response);
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
