package io.switchboard.systemtests;

import io.switchboard.drill.presence.PresenceChecker;
import io.switchboard.launcher.LocalCluster;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The randomized presence checker on an in-process cluster with two gateways: random joins, leaves, reloads,
 * gateway switches, room and status changes while gateways and the presence service restart; at every quiet
 * moment each client's member list equals the truth. A few seeds per run ({@code -Dpresence.checker.seeds=N} for
 * more, {@code -Dpresence.checker.seed=S} to replay the one a failure names).
 */
class PresenceCheckerSystemTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.builder()
                .gateways(2)
                .presence(true)
                .set("gateway.auth.hs256-secret", SystemCluster.USER_SECRET)
                // Shorter than the default (10 s) so that quiet checks are quick; reloads still fall inside it.
                .set("presence.leave-grace", "PT1S")
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyMemberListEqualsTheTruthAtEveryQuietMoment() {
        PresenceChecker.Cluster target = new PresenceChecker.Cluster() {
            @Override
            public int gateways() {
                return cluster.gateways().size();
            }

            @Override
            public URI webSocketUri(int gateway) {
                return cluster.webSocketUri(gateway);
            }

            @Override
            public void restartGateway(int gateway) {
                cluster.restartGateway(gateway);
            }

            @Override
            public void restartPresence() {
                cluster.restartPresence();
            }

            @Override
            public String token(String user) {
                return SystemCluster.USERS.token(user);
            }
        };
        for (long seed : PresenceChecker.seeds(3)) {
            System.out.println("presence checker: seed " + seed);
            PresenceChecker.Result result = PresenceChecker.run(target, PresenceChecker.Settings.defaults(), seed,
                    System.out::println);
            System.out.println("presence checker: " + result);
        }
    }
}
