package io.switchboard.gateway.routing;

import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;

/**
 * One unary RouterService call, replayable on another router: invoked once per attempt with that router's
 * stub (its deadline already set to what is left of the caller's) and an observer for the answer. It must send
 * the same request every time, so a router's dedup recognises a retry by its id.
 *
 * @param <T> the response type
 */
@FunctionalInterface
public interface RouterCall<T> {
    void invoke(RouterServiceGrpc.RouterServiceStub stub, StreamObserver<T> response);
}
