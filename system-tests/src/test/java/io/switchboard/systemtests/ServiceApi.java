package io.switchboard.systemtests;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import io.switchboard.proto.api.v1.UserPresence;
import io.switchboard.proto.api.v1.UserPresenceRequest;
import java.util.concurrent.TimeUnit;

/** SwitchboardApi stubs for a backend holding one service token, as a backend would build them. */
final class ServiceApi {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Channel channel;

    /** Calls on {@code channel} with {@code token} (null: no authorization header at all). */
    ServiceApi(Channel channel, String token) {
        if (token == null) {
            this.channel = channel;
        } else {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token);
            this.channel = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        }
    }

    SwitchboardApiGrpc.SwitchboardApiBlockingStub blocking() {
        return SwitchboardApiGrpc.newBlockingStub(channel).withDeadlineAfter(15, TimeUnit.SECONDS);
    }

    SwitchboardApiGrpc.SwitchboardApiStub async() {
        return SwitchboardApiGrpc.newStub(channel);
    }

    /** How many connections the presence service knows {@code user} has (needs the "read" scope). */
    int connections(String user) {
        return blocking().getUserPresence(UserPresenceRequest.newBuilder().addUserIds(user).build())
                .getUsersList().stream().filter(u -> u.getUserId().equals(user))
                .mapToInt(UserPresence::getConnectionsCount).sum();
    }
}
