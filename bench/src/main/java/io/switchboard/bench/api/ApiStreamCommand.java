package io.switchboard.bench.api;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code api-stream} subcommand: options to {@link ApiStreamBenchmark}. Not thread-safe. */
@Command(name = "api-stream", mixinStandardHelpOptions = true,
        description = "Publish through SwitchboardApi.PublishStream on a running stack; report msgs/s and"
                + " publish-to-ack p50/p99, with WebSocket subscribers confirming delivery.")
public final class ApiStreamCommand implements Callable<Integer> {
    @Option(names = "--target", required = true, description = "Router gRPC address, host:port.")
    String target;

    @Option(names = "--token", required = true, description = "Service token with scope 'publish'.")
    String token;

    @Option(names = "--gateway", description = "Gateway WebSocket URL for subscribers, e.g. ws://127.0.0.1:8080/ws.")
    URI gateway;

    @Option(names = "--client-token", defaultValue = "", description = "Client token of the subscribers.")
    String clientToken;

    @Option(names = "--subscribers", defaultValue = "10", description = "WebSocket subscribers (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--messages", defaultValue = "100000", description = "Messages to publish (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--payload-bytes", defaultValue = "100", description = "Payload size (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--room", defaultValue = "bench:api-stream", description = "Room (default: ${DEFAULT-VALUE}).")
    String room;

    @Option(names = "--timeout", defaultValue = "PT120S", description = "Time allowed for acks and deliveries (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        ApiStreamBenchmark.Result result = new ApiStreamBenchmark(target, token, Optional.ofNullable(gateway),
                clientToken, subscribers, messages, payloadBytes, room, timeout).run(System.out);
        return result.acked() == messages && result.delivered() == result.expectedDeliveries() ? 0 : 1;
    }
}
