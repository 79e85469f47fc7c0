package io.switchboard.gateway.session;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.api.v1.AuthorizeRequest;
import io.switchboard.proto.api.v1.AuthorizeResponse;
import io.switchboard.proto.api.v1.AuthorizerGrpc;

/**
 * An application backend's Authorizer on a real gRPC server (loopback, port 0) that holds every Authorize call
 * until the test answers it, so a test decides when (and whether) the gateway hears back. Close it after the test.
 */
final class HeldAuthorizer implements AutoCloseable {
    /** One held call: what the gateway asked and where the test answers. */
    record Call(AuthorizeRequest request, CompletableFuture<Boolean> allow) {
    }

    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private final Server server;

    HeldAuthorizer() throws IOException {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new AuthorizerGrpc.AuthorizerImplBase() {
                    @Override
                    public void authorize(AuthorizeRequest request, StreamObserver<AuthorizeResponse> responses) {
                        CompletableFuture<Boolean> allow = new CompletableFuture<>();
                        calls.add(new Call(request, allow));
                        allow.thenAccept(yes -> {
                            responses.onNext(AuthorizeResponse.newBuilder().setAllow(yes)
                                    .setReason(yes ? "" : "not a member").build());
                            responses.onCompleted();
                        });
                    }
                }).build().start();
    }

    /** {@code host:port} for {@code gateway.authz.backend.address}. */
    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    /** The next call the gateway made; fails after 10 s without one. */
    Call next() throws InterruptedException {
        Call call = calls.poll(10, TimeUnit.SECONDS);
        if (call == null) {
            throw new AssertionError("the gateway asked the backend nothing");
        }
        return call;
    }

    /** Calls made and not yet taken with {@link #next()}. */
    int waiting() {
        return calls.size();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
