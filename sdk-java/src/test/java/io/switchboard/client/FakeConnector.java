package io.switchboard.client;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.ServerFrame;
import java.net.URI;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/** A scripted server side: records every connection attempt and the frames the client sends. */
final class FakeConnector implements TransportConnector {
    /** One fake connection. */
    static final class FakeTransport implements Transport {
        final Listener listener;
        final List<ClientFrame> sent = new ArrayList<>();
        boolean closedByClient;
        int closeCode;

        FakeTransport(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void send(ClientFrame frame) {
            sent.add(frame);
        }

        @Override
        public void close(int code, String reason) {
            closedByClient = true;
            closeCode = code;
        }

        @Override
        public void abort() {
            listener.onClosed(1006, "aborted");
        }

        /** The server answers the Connect. */
        FakeTransport accept() {
            return accept(Connected.newBuilder().setSessionId("s").setUserId("u").build());
        }

        /** The server answers the Connect with {@code connected} (e.g. naming the user's inbox). */
        FakeTransport accept(Connected connected) {
            server(ServerFrame.newBuilder().setConnected(connected).build());
            return this;
        }

        void server(ServerFrame frame) {
            listener.onFrame(frame);
        }

        void serverCloses(int code) {
            listener.onClosed(code, "closed by test");
        }

        List<ClientFrame> sent(Predicate<ClientFrame> filter) {
            return sent.stream().filter(filter).toList();
        }

        ClientFrame last(Predicate<ClientFrame> filter) {
            List<ClientFrame> matching = sent(filter);
            if (matching.isEmpty()) {
                throw new AssertionError("no such frame in " + sent);
            }
            return matching.get(matching.size() - 1);
        }
    }

    private final InstantSource clock;
    final List<Instant> attempts = new ArrayList<>();
    final List<FakeTransport> transports = new ArrayList<>();
    boolean refuse;

    FakeConnector(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public CompletionStage<Transport> connect(URI uri, Listener listener) {
        attempts.add(clock.instant());
        if (refuse) {
            return CompletableFuture.failedFuture(new java.io.IOException("refused by test"));
        }
        FakeTransport transport = new FakeTransport(listener);
        transports.add(transport);
        return CompletableFuture.completedFuture(transport);
    }

    FakeTransport current() {
        return transports.get(transports.size() - 1);
    }
}
