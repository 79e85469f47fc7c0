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
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

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
public final class ExampleBackend {
    private ExampleBackend() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> options = parse(args);
        if (options == null || !options.containsKey("target") || !options.containsKey("token")) {
            System.err.println("usage: ExampleBackend --target host:port --token <service jwt> [--room chat:demo]"
                    + " [--user alice] [--count 100]");
            System.exit(2);
            return;
        }
        String room = options.getOrDefault("room", "chat:demo");
        String user = options.getOrDefault("user", "alice");
        int count = Integer.parseInt(options.getOrDefault("count", "100"));

        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                "Bearer " + options.get("token"));
        ManagedChannel channel = ManagedChannelBuilder.forTarget(options.get("target")).usePlaintext().build();
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
            System.exit(1);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                return null;
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
