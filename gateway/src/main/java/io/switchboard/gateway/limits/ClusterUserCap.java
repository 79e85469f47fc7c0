package io.switchboard.gateway.limits;

import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.gateway.presence.PresenceDirectory;
import io.switchboard.proto.internal.v1.Connection;
import io.switchboard.proto.internal.v1.UserPresence;
import io.switchboard.proto.internal.v1.UserPresenceRequest;

/**
 * The per-user connection cap across the cluster ({@code gateway.limits.max-cluster-connections-per-user}), through
 * the presence service, which knows every gateway's connections of a user: once a connection has said who it is,
 * presence is asked for the user's other connections, and the connection is closed 3005 when they already reach
 * the cap. The answer arrives after {@code connected}, so the connection may live for one presence round trip
 * before it is closed; and presence learns of new connections in batches (every
 * {@code gateway.presence.report-interval}), so connections made at the same moment on several gateways may all
 * pass: the cap is soft by about one report interval's worth of connects. When presence cannot answer (outage,
 * timeout) the connection stays: the cap fails open, because refusing every connect while presence is down would
 * turn a presence outage into a full outage, and the per-gateway cap still bounds each gateway. Thread-safe.
 */
public final class ClusterUserCap {
    private static final Logger LOG = Logger.getLogger(ClusterUserCap.class.getName());

    private final int max;
    private final PresenceDirectory presence;
    private final LimitMetrics metrics;

    /**
     * @param max      connections one user may hold across the cluster
     * @param presence where the user's connections are asked for
     */
    ClusterUserCap(int max, PresenceDirectory presence, LimitMetrics metrics) {
        this.max = max;
        this.presence = presence;
        this.metrics = metrics;
    }

    int max() {
        return max;
    }

    /**
     * Asks presence about {@code userId}'s connections other than {@code sessionId}; runs {@code overCap} when they
     * reach the cap. Never fails: an unanswered question lets the connection stay.
     */
    CompletableFuture<Void> check(String userId, String sessionId, Runnable overCap) {
        return presence.userPresence(UserPresenceRequest.newBuilder().addUserIds(userId).build())
                .thenAccept(response -> {
                    long others = 0;
                    for (UserPresence u : response.getUsersList()) {
                        if (u.getUserId().equals(userId)) {
                            for (Connection c : u.getConnectionsList()) {
                                if (!c.getSessionId().equals(sessionId)) {
                                    others++;
                                }
                            }
                        }
                    }
                    if (others >= max) {
                        metrics.refused(LimitMetrics.Limit.CLUSTER_USER_CONNECTIONS);
                        overCap.run();
                    }
                })
                .exceptionally(failure -> {
                    LOG.log(Level.FINE, "cluster connection cap of " + userId + " not checked (presence did not"
                            + " answer); the connection stays", failure);
                    return null;
                });
    }
}
