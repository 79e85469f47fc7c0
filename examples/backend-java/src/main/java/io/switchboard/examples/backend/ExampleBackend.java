package io.switchboard.examples.backend;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.switchboard.proto.api.v1.PublishRequest;
import io.switchboard.proto.api.v1.ReadHistoryRequest;
import io.switchboard.proto.api.v1.ReadHistoryResponse;
import io.switchboard.proto.api.v1.RoomPresenceRequest;
import io.switchboard.proto.api.v1.RoomPresenceResponse;
import io.switchboard.proto.api.v1.SendToUserRequest;
import io.switchboard.proto.api.v1.SendToUserResponse;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import io.switchboard.proto.client.v1.HistoryDirection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A backend using the public SwitchboardApi: it mints nothing and is given a service token.
 *
 * <pre>
 * java -jar switchboard-example-backend.jar --target 127.0.0.1:7070 --token "$SERVICE_TOKEN" \
 *     [--room chat:demo] [--user alice] [--count 100]
 * </pre>
 *
 * Publishes {@code --count} messages to the room through {@link ReliablePublisher}, sends {@code --user} a direct
 * message, then prints the room's presence and its latest history page. Exit code 0 on success, 1 on a failed
 * call, 2 on bad arguments.
 */
@Command(name = "ExampleBackend", mixinStandardHelpOptions = true,
        description = "Publishes, messages a user and reads presence and history through the public SwitchboardApi.")
public final class ExampleBackend implements Callable<Integer> {
    @Option(names = "--target", paramLabel = "HOST:PORT", required = true, description = "A router's gRPC address.")
    private String target;
    @Option(names = "--token", paramLabel = "JWT", required = true, description = "The service token.")
    private String token;
    @Option(names = "--room", defaultValue = "chat:demo", description = "Room to publish to (${DEFAULT-VALUE}).")
    private String room;
    @Option(names = "--user", defaultValue = "alice", description = "User to send a direct message (${DEFAULT-VALUE}).")
    private String user;
    @Option(names = "--count", defaultValue = "100", description = "Messages to publish (${DEFAULT-VALUE}).")
    private int count;

    private ExampleBackend() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ExampleBackend()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
        try {
            var async = SwitchboardApiGrpc.newStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            var blocking = SwitchboardApiGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

            // 1. Reliable high-rate publishing. Ids must be unique per service: a run prefix keeps reruns apart.
            String run = UUID.randomUUID().toString().substring(0, 8);
            try (ReliablePublisher publisher = new ReliablePublisher(async)) {
                for (int i = 0; i < count; i++) {
                    publisher.publish(PublishRequest.newBuilder()
                            .setRoom(room)
                            .setId(run + "-" + i)
                            .setContentType("text/plain")
                            .setPayload(ByteString.copyFrom("message " + i, StandardCharsets.UTF_8))
                            .build());
                }
                boolean all = publisher.flush(Duration.ofSeconds(60));
                System.out.printf("published %d/%d to %s (%d recognised as duplicates after resends)%s%n",
                        publisher.acked(), count, room, publisher.duplicates(), all ? "" : " - timed out");
            }

            // 2. A direct message to every connected device of a user (not stored).
            SendToUserResponse direct = blocking.withDeadlineAfter(5, TimeUnit.SECONDS).sendToUser(
                    SendToUserRequest.newBuilder().setUserId(user).setId(run + "-dm")
                            .setContentType("text/plain")
                            .setPayload(ByteString.copyFrom("hello " + user, StandardCharsets.UTF_8)).build());
            System.out.printf("direct message to %s reached %d device(s)%n", user, direct.getDevices());

            // 3. Who is in the room.
            RoomPresenceResponse presence = blocking.withDeadlineAfter(5, TimeUnit.SECONDS).getRoomPresence(
                    RoomPresenceRequest.newBuilder().setRoom(room).setLimit(20).build());
            System.out.printf("%s: %d user(s), %d connection(s)%n", room, presence.getUsers(),
                    presence.getConnections());
            presence.getMembersList().forEach(m -> System.out.println("  " + m.getUserId() + " " + m.getStatus()));

            // 4. The latest page of the room's history.
            ReadHistoryResponse history = blocking.withDeadlineAfter(5, TimeUnit.SECONDS).readHistory(
                    ReadHistoryRequest.newBuilder().setRoom(room).setDirection(HistoryDirection.LATEST).setLimit(5)
                            .build());
            history.getMessagesList().forEach(m -> System.out.printf("  #%d %s: %s%n", m.getPosition(),
                    m.getSender(), m.getPayload().toStringUtf8()));
        } catch (StatusRuntimeException e) {
            System.err.println("call failed: " + e.getStatus());
            return 1;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        return 0;
    }
}
