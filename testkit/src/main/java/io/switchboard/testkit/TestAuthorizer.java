package io.switchboard.testkit;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.api.v1.AuthorizeRequest;
import io.switchboard.proto.api.v1.AuthorizeResponse;
import io.switchboard.proto.api.v1.AuthorizerGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An application backend's {@code switchboard.api.v1.Authorizer} on a real gRPC server (plaintext, loopback, a
 * free port), answering each call with what the test's function completes; a stage that never completes is a
 * backend that does not answer (the gateway's deadline passes). Records every request. Close it after the test.
 * Thread-safe.
 */
public final class TestAuthorizer implements AutoCloseable {
    private final List<AuthorizeRequest> asked = new CopyOnWriteArrayList<>();
    private final Server server;

    private TestAuthorizer(Function<AuthorizeRequest, CompletionStage<AuthorizeResponse>> answer) throws IOException {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new AuthorizerGrpc.AuthorizerImplBase() {
                    @Override
                    public void authorize(AuthorizeRequest request, StreamObserver<AuthorizeResponse> responses) {
                        asked.add(request);
                        answer.apply(request).whenComplete((response, failure) -> {
                            try {
                                if (failure != null) {
                                    responses.onError(failure);
                                } else {
                                    responses.onNext(response);
                                    responses.onCompleted();
                                }
                            } catch (IllegalStateException e) {
                                // the call ended first (the gateway's deadline, or shutdown): nothing to answer
                            }
                        });
                    }
                }).build().start();
    }

    /** Starts a server answering with {@code answer}. */
    public static TestAuthorizer start(Function<AuthorizeRequest, CompletionStage<AuthorizeResponse>> answer) {
        Objects.requireNonNull(answer, "answer");
        try {
            return new TestAuthorizer(answer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code host:port}, for {@code gateway.authz.backend.address}. */
    public String address() {
        return "127.0.0.1:" + server.getPort();
    }

    /** The requests received so far, in order. */
    public List<AuthorizeRequest> asked() {
        return List.copyOf(asked);
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
