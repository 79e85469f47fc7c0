package io.switchboard.gateway.session;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.switchboard.proto.api.v1.AuthorizeRequest;
import io.switchboard.proto.api.v1.AuthorizeResponse;
import io.switchboard.testkit.TestAuthorizer;

/**
 * An application backend's Authorizer on a real gRPC server ({@link TestAuthorizer}) that holds every Authorize
 * call until the test answers it, so a test decides when (and whether) the gateway hears back. Close it after the
 * test.
 */
final class HeldAuthorizer implements AutoCloseable {
    /** One held call: what the gateway asked and where the test answers. */
    record Call(AuthorizeRequest request, CompletableFuture<Boolean> allow) {
    }

    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private final TestAuthorizer server = TestAuthorizer.start(request -> {
        Call call = new Call(request, new CompletableFuture<>());
        calls.add(call);
        return call.allow().thenApply(yes -> AuthorizeResponse.newBuilder().setAllow(yes)
                .setReason(yes ? "" : "not a member").build());
    });

    /** {@code host:port} for {@code gateway.authz.backend.address}. */
    String address() {
        return server.address();
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
        server.close();
    }
}
