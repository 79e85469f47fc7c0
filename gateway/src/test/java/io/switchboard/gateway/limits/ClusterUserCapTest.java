package io.switchboard.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.Status;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.gateway.presence.PresenceDirectory;
import io.switchboard.proto.internal.v1.Connection;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.UserPresence;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.proto.internal.v1.UserPresenceResponse;
import org.junit.jupiter.api.Test;

class ClusterUserCapTest {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final LimitMetrics metrics = new LimitMetrics(registry);
    private final AtomicInteger closed = new AtomicInteger();

    /** Presence answering with {@code sessions} as the user's connections, or failing when null. */
    private static PresenceDirectory presence(List<String> sessions) {
        return new PresenceDirectory() {
            @Override
            public CompletableFuture<RoomMembersResponse> roomMembers(RoomMembersRequest request) {
                throw new AssertionError("not asked");
            }

            @Override
            public CompletableFuture<UserPresenceResponse> userPresence(UserPresenceRequest request) {
                if (sessions == null) {
                    return CompletableFuture.failedFuture(Status.UNAVAILABLE.asRuntimeException());
                }
                UserPresence.Builder user = UserPresence.newBuilder().setUserId(request.getUserIds(0));
                sessions.forEach(s -> user.addConnections(Connection.newBuilder().setSessionId(s)
                        .setUserId(request.getUserIds(0))));
                return CompletableFuture.completedFuture(UserPresenceResponse.newBuilder().addUsers(user).build());
            }
        };
    }

    private double refusals() {
        return registry.scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("gateway_limit_refusals"))
                .flatMap(m -> m.getDataPoints().stream())
                .filter(p -> p.getLabels().get("limit").equals("cluster_user_connections"))
                .mapToDouble(p -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) p)
                        .getValue())
                .sum();
    }

    @Test
    void aConnectionThatFindsTheOthersAtTheCapIsClosed() throws Exception {
        new ClusterUserCap(2, presence(List.of("a", "b", "mine")), metrics)
                .check("u", "mine", closed::incrementAndGet).get(5, TimeUnit.SECONDS);
        assertThat(closed).hasValue(1);
        assertThat(refusals()).isEqualTo(1);
    }

    @Test
    void belowTheCapTheConnectionStaysAndItselfIsNotCounted() throws Exception {
        new ClusterUserCap(2, presence(List.of("a", "mine")), metrics)
                .check("u", "mine", closed::incrementAndGet).get(5, TimeUnit.SECONDS);
        assertThat(closed).hasValue(0);
        assertThat(refusals()).isZero();
    }

    @Test
    void whenPresenceDoesNotAnswerTheConnectionStays() throws Exception {
        new ClusterUserCap(1, presence(null), metrics).check("u", "mine", closed::incrementAndGet)
                .get(5, TimeUnit.SECONDS);
        assertThat(closed).hasValue(0);
    }
}
