package io.switchboard.router.api;

import io.grpc.Status;
import io.switchboard.proto.api.v1.PublishResult;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects a PublishStream's results and how it ended (OK or the error status). Thread-safe. */
final class ResultCollector implements StreamObserver<PublishResult> {
    final List<PublishResult> results = new CopyOnWriteArrayList<>();
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    volatile Throwable error;

    @Override
    public void onNext(PublishResult value) {
        results.add(value);
    }

    @Override
    public void onError(Throwable t) {
        error = t;
        ended.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        ended.complete(Status.OK);
    }

    int size() {
        return results.size();
    }
}
