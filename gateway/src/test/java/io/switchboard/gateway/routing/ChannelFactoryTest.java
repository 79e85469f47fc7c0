package io.switchboard.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import org.junit.jupiter.api.Test;

/**
 * {@link ChannelFactory#inProcessFirst}: a router listed with an in-process name is reached through that in-process
 * server, without asking the network factory; any other router goes to the network factory.
 */
class ChannelFactoryTest {
    private static final RouterEndpoint IN_THIS_JVM = new RouterEndpoint("127.0.0.1", 7070);
    private static final RouterEndpoint ELSEWHERE = new RouterEndpoint("10.0.0.7", 7070);

    @Test
    void aListedRouterIsCalledInProcessAndAnyOtherThroughTheNetworkFactory() throws Exception {
        String name = "channel-factory-test-" + UUID.randomUUID();
        ScriptedRouter inProcess = new ScriptedRouter("in-process");
        ScriptedRouter network = new ScriptedRouter("network");
        String networkName = name + "-network";
        Server inProcessServer = InProcessServerBuilder.forName(name).directExecutor().addService(inProcess)
                .build().start();
        Server networkServer = InProcessServerBuilder.forName(networkName).directExecutor().addService(network)
                .build().start();
        List<RouterEndpoint> askedTheNetwork = new ArrayList<>();
        ChannelFactory channels = ChannelFactory.inProcessFirst(Map.of(IN_THIS_JVM.toString(), name), router -> {
            askedTheNetwork.add(router);
            return InProcessChannelBuilder.forName(networkName).directExecutor().build();
        });
        ManagedChannel listed = channels.open(IN_THIS_JVM);
        ManagedChannel other = channels.open(ELSEWHERE);
        try {
            publish(listed, "to-the-listed-router");
            publish(other, "to-the-other-router");

            assertThat(inProcess.received()).extracting(Envelope::getId).containsExactly("to-the-listed-router");
            assertThat(network.received()).extracting(Envelope::getId).containsExactly("to-the-other-router");
            assertThat(askedTheNetwork).containsExactly(ELSEWHERE);
        } finally {
            listed.shutdownNow();
            other.shutdownNow();
            inProcessServer.shutdownNow();
            networkServer.shutdownNow();
        }
    }

    private static void publish(ManagedChannel channel, String id) {
        RouterServiceGrpc.newBlockingStub(channel).publish(PublishRequest.newBuilder()
                .setEnvelope(Envelope.newBuilder().setId(id).setRoom("room-1")).build());
    }
}
