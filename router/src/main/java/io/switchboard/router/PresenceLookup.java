package io.switchboard.router;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.UserPresence;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.proto.internal.v1.UserPresenceResponse;
import io.switchboard.service.Failover;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where a user is connected: {@code PresenceService.UserPresence} behind a Caffeine cache (expire after
 * write {@code router.presence.cache-ttl}, at most {@code router.presence.cache-max-entries} users). The
 * presence topic listener calls {@link #invalidate(String)} whenever a user's presence changes, so the TTL
 * only bounds staleness when records are missed.
 *
 * <p>Concurrent lookups of one user share one RPC. The RPC runs outside the caller's gRPC context (a caller
 * that gives up does not cancel it for the others) with the earlier of the caller's deadline and {@code
 * router.presence.timeout}, shared by its attempts: with several presence instances it goes to the one that answered
 * last and fails over to the others on {@code UNAVAILABLE} (each holds every user). A failed lookup is not cached; a
 * lookup that an invalidation overtakes is answered but not cached. Thread-safe.
 */
final class PresenceLookup {
    private final Failover<PresenceServiceGrpc.PresenceServiceStub> instances;
    private final Duration timeout;
    private final AsyncCache<String, UserPresence> cache;

    /**
     * @param channels   one per presence instance (not owned: the caller closes them)
     * @param timeout    the longest one lookup may take
     * @param ttl        how long a result is reused
     * @param maxEntries how many users are cached
     * @param ticker     the cache's time source
     */
    PresenceLookup(List<? extends Channel> channels, Duration timeout, Duration ttl, long maxEntries, Ticker ticker) {
        this.instances = new Failover<>(channels.stream().map(PresenceServiceGrpc::newStub).toList());
        this.timeout = timeout;
        this.cache = RouterCaches.onCallingThread(ticker)
                .maximumSize(maxEntries)
                .expireAfterWrite(ttl)
                .buildAsync();
    }

    /**
     * {@code userId}'s presence (OFFLINE without connections when presence does not know the user).
     *
     * @param callDeadline the deadline of the call this lookup serves, or null
     * @return completes with the presence, or exceptionally with the RPC's {@link io.grpc.StatusRuntimeException}
     */
    CompletableFuture<UserPresence> lookup(String userId, Deadline callDeadline) {
        CompletableFuture<UserPresence> shared = cache.get(userId, (user, executor) -> fetch(user, callDeadline));
        // Caffeine drops a failed lookup too, but maybe only after this caller has heard of the failure and
        // retried: drop it first, so that a retry looks up again.
        return shared.whenComplete((presence, failure) -> {
            if (failure != null) {
                cache.asMap().remove(userId, shared);
            }
        });
    }

    /** Drops the cached presence of {@code userId} (and any lookup of it in flight from the cache). */
    void invalidate(String userId) {
        cache.synchronous().invalidate(userId);
    }

    /** The cached presence of {@code userId}, or null when none is cached (or its lookup is still running). */
    UserPresence cached(String userId) {
        CompletableFuture<UserPresence> future = cache.getIfPresent(userId);
        return future != null && future.isDone() && !future.isCompletedExceptionally() ? future.join() : null;
    }

    /** Approximate number of cached users. */
    long size() {
        return cache.synchronous().estimatedSize();
    }

    private CompletableFuture<UserPresence> fetch(String userId, Deadline callDeadline) {
        Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (callDeadline != null) {
            deadline = deadline.minimum(callDeadline);
        }
        UserPresenceRequest request = UserPresenceRequest.newBuilder().addUserIds(userId).build();
        Deadline shared = deadline;
        return instances.call(stub -> ask(stub.withDeadline(shared), request, userId));
    }

    private static CompletableFuture<UserPresence> ask(PresenceServiceGrpc.PresenceServiceStub stub,
                                                       UserPresenceRequest request, String userId) {
        CompletableFuture<UserPresence> result = new CompletableFuture<>();
        // fork(): keeps the caller's context values but not its cancellation, as the result is shared.
        Context.current().fork().run(() -> stub.userPresence(request, new StreamObserver<>() {
            @Override
            public void onNext(UserPresenceResponse response) {
                result.complete(response.getUsersList().stream()
                        .filter(u -> u.getUserId().equals(userId))
                        .findFirst()
                        .orElseGet(() -> offline(userId)));
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(offline(userId));
            }
        }));
        return result;
    }

    private static UserPresence offline(String userId) {
        return UserPresence.newBuilder().setUserId(userId).setStatus(PresenceStatus.OFFLINE).build();
    }
}
