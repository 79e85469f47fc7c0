package io.switchboard.router.api;

import com.google.protobuf.Timestamp;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.ControlRequest;
import io.switchboard.proto.internal.v1.ControlResponse;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.Position;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.SendToUserResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-process RouterService fake at the API's seam: "stores" each new (sender, id) at once with the next
 * position (as Kafka would even if the caller went away), answers repeats with duplicate=true and the original
 * position, and either answers at once or holds answers until the test releases them. Can be scripted to fail
 * every call with a status. Thread-safe (all state under {@code this}).
 */
final class FakeRouter {
    static final String EPOCH = "topic-id:3";

    private record Held(String id, PublishResponse response, StreamObserver<PublishResponse> observer) {
    }

    // guarded by this
    private final Map<String, Long> stored = new HashMap<>();
    private final Deque<Held> held = new ArrayDeque<>();
    private long nextOffset = 100;
    private boolean holding;
    private int maxHeld;
    final List<Envelope> published = new CopyOnWriteArrayList<>();
    final List<SendToUserRequest> directs = new CopyOnWriteArrayList<>();
    final List<ControlRequest> controls = new CopyOnWriteArrayList<>();
    /** The deadline of the last call, as the fake saw it in its Context. */
    final AtomicReference<Deadline> lastDeadline = new AtomicReference<>();
    final AtomicReference<Status> failWith = new AtomicReference<>();

    ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(RouterServiceGrpc.SERVICE_NAME)
                .addMethod(RouterServiceGrpc.getPublishMethod(), ServerCalls.asyncUnaryCall(this::publish))
                .addMethod(RouterServiceGrpc.getSendToUserMethod(), ServerCalls.asyncUnaryCall(this::sendToUser))
                .addMethod(RouterServiceGrpc.getSendControlMethod(), ServerCalls.asyncUnaryCall(this::sendControl))
                .build();
    }

    synchronized void hold() {
        holding = true;
    }

    synchronized int heldCount() {
        return held.size();
    }

    synchronized int maxHeld() {
        return maxHeld;
    }

    /** Answers the held publishes of these ids (in the order given). */
    void release(String... ids) {
        List<Held> out = new ArrayList<>();
        synchronized (this) {
            for (String id : ids) {
                held.stream().filter(h -> h.id().equals(id)).findFirst().ifPresent(h -> {
                    held.remove(h);
                    out.add(h);
                });
            }
        }
        out.forEach(FakeRouter::answer);
    }

    /** The position the fake stored {@code id} of {@code sender} at, or -1. */
    synchronized long positionOf(String sender, String id) {
        return stored.getOrDefault(sender + "/" + id, -1L);
    }

    /** Answers every held publish, newest first. */
    void releaseAllNewestFirst() {
        List<Held> out = new ArrayList<>();
        synchronized (this) {
            while (!held.isEmpty()) {
                out.add(held.pollLast());
            }
            holding = false;
        }
        out.forEach(FakeRouter::answer);
    }

    synchronized void stopHolding() {
        holding = false;
    }

    private static void answer(Held h) {
        h.observer().onNext(h.response());
        h.observer().onCompleted();
    }

    private void publish(PublishRequest request, StreamObserver<PublishResponse> observer) {
        lastDeadline.set(Context.current().getDeadline());
        Status failure = failWith.get();
        if (failure != null) {
            observer.onError(failure.asRuntimeException());
            return;
        }
        Envelope env = request.getEnvelope();
        published.add(env);
        PublishResponse response;
        synchronized (this) {
            String key = env.getSender().getUserId() + "/" + env.getId();
            Long earlier = stored.get(key);
            boolean duplicate = earlier != null;
            long offset = duplicate ? earlier : nextOffset++;
            stored.putIfAbsent(key, offset);
            response = PublishResponse.newBuilder()
                    .setPosition(Position.newBuilder().setEpoch(EPOCH).setOffset(offset))
                    .setStoredTime(Timestamp.newBuilder().setSeconds(1_700_000_000L + offset))
                    .setDuplicate(duplicate)
                    .build();
            if (holding) {
                held.addLast(new Held(env.getId(), response, observer));
                maxHeld = Math.max(maxHeld, held.size());
                return;
            }
        }
        answer(new Held(env.getId(), response, observer));
    }

    private void sendToUser(SendToUserRequest request, StreamObserver<SendToUserResponse> observer) {
        lastDeadline.set(Context.current().getDeadline());
        directs.add(request);
        observer.onNext(SendToUserResponse.newBuilder().setDevices(2).build());
        observer.onCompleted();
    }

    private void sendControl(ControlRequest request, StreamObserver<ControlResponse> observer) {
        lastDeadline.set(Context.current().getDeadline());
        controls.add(request);
        observer.onNext(ControlResponse.newBuilder().setConnections(3).build());
        observer.onCompleted();
    }
}
