package io.switchboard.service;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * Turns one unary gRPC call into a {@link CompletableFuture}: the future completes with the call's response, or
 * fails with the call's {@code StatusRuntimeException} (code, description and status details such as a router's
 * reason intact); a call that completes without a response fails INTERNAL. Every gRPC client of the tiers goes
 * through here: the gateway's (routers, presence, history) and the public API's internal calls. Stateless,
 * thread-safe.
 */
public final class GrpcFutures {
    private GrpcFutures() {
    }

    /**
     * Starts a unary call and returns its outcome as a future; never blocks. A synchronous exception of
     * {@code start} propagates to the caller (the call was never made).
     *
     * @param peer  names the backend in the error of a call that completes without a response
     * @param start starts the call with the observer it must answer, e.g.
     *              {@code observer -> stub.publish(request, observer)}
     */
    public static <R> CompletableFuture<R> unary(String peer, Consumer<StreamObserver<R>> start) {
        CompletableFuture<R> result = new CompletableFuture<>();
        start.accept(new StreamObserver<>() {
            @Override
            public void onNext(R value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                if (!result.isDone()) {
                    result.completeExceptionally(Status.INTERNAL
                            .withDescription(peer + " completed without a response").asRuntimeException());
                }
            }
        });
        return result;
    }
}
