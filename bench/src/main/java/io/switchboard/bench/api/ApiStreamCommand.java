package io.switchboard.bench.api;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import io.switchboard.bench.BenchCommand;
import io.switchboard.bench.MarkdownResultFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code api-stream} subcommand: options to {@link ApiStreamSpec}, then {@link ApiStreamBenchmark}. Not thread-safe. */
@Command(name = "api-stream", mixinStandardHelpOptions = true,
        description = "Publish through SwitchboardApi.PublishStream and, as the baseline, unary Publish calls with the"
                + " same number outstanding; report msgs/s and publish-to-ack p50/p99 with WebSocket subscribers"
                + " receiving. Starts its own cluster unless --target is given.")
public final class ApiStreamCommand extends BenchCommand {
    @Option(names = "--target", description = "An existing router's gRPC address, host:port (default: start a cluster).")
    String target;

    @Option(names = "--token", defaultValue = "", description = "Service token with scope 'publish' (with --target).")
    String token;

    @Option(names = "--gateway", description = "Gateway WebSocket URL for subscribers (with --target), e.g. ws://127.0.0.1:8080/ws.")
    URI gateway;

    @Option(names = "--client-token", defaultValue = "", description = "Client token of the subscribers (with --target).")
    String clientToken;

    @Option(names = "--gateways", defaultValue = "1", description = "Gateways of the started cluster (default: ${DEFAULT-VALUE}).")
    int gateways;

    @Option(names = "--subscribers", defaultValue = "10", description = "WebSocket subscribers (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--messages", defaultValue = "50000", description = "Measured publishes per variant (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--warmup-messages", defaultValue = "10000", description = "Unmeasured publishes per variant first (default: ${DEFAULT-VALUE}).")
    int warmupMessages;

    @Option(names = "--payload-bytes", defaultValue = "100", description = "Payload size (default: ${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--window", defaultValue = "256",
            description = "Publishes outstanding: the stream window and the concurrent unary calls (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--timeout", defaultValue = "PT120S", description = "Time allowed for one variant's results and deliveries (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    MarkdownResultFile out;

    @Override
    protected boolean run() throws Exception {
        ApiStreamSpec spec = new ApiStreamSpec(Optional.ofNullable(target), token, Optional.ofNullable(gateway),
                clientToken, gateways, subscribers, messages, warmupMessages, payloadBytes, window, timeout);
        return new ApiStreamBenchmark(spec, System.out).run(out.path()).stream().allMatch(ApiStreamResult::complete);
    }
}
