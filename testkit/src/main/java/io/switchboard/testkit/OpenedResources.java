package io.switchboard.testkit;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a test opened, closed last first when the test ends (held in an {@code @AutoClose} field). Its close throws
 * whatever a resource's close throws, as the hand-written loops it replaces did, hence the "try" lint off.
 * Not thread-safe.
 */
@SuppressWarnings("try")
public final class OpenedResources implements AutoCloseable {
    private final List<AutoCloseable> opened = new ArrayList<>();

    public void add(AutoCloseable resource) {
        opened.add(resource);
    }

    /** A plaintext gRPC channel to {@code 127.0.0.1:port}, shut down (waiting up to 5 s) when these close. */
    public ManagedChannel plaintextChannel(int port) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        add(() -> {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        });
        return channel;
    }

    /** Closes each resource, the last opened first; the first that fails ends it with its exception. */
    @Override
    public void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }
}
