package io.switchboard.systemtests;

import io.switchboard.drill.presence.PresenceChecker;
import io.switchboard.launcher.LocalCluster;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The randomized presence checker on an in-process cluster with two gateways: random joins, leaves, reloads,
 * gateway switches, room and status changes while gateways and the presence service restart; at every quiet
 * moment each client's member list equals the truth. A few seeds per run ({@code -Dpresence.checker.seeds=N} for
 * more, {@code -Dpresence.checker.seed=S} to replay the one a failure names).
 */
class PresenceCheckerSystemTest {
    @AutoClose
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        // The leave grace shorter still than the system tests' (2 s): quiet checks are quicker, reloads stay inside it.
        cluster = SystemCluster.builder(false).set("presence.leave-grace", "PT1S").build().start();
    }

    @Test
    void everyMemberListEqualsTheTruthAtEveryQuietMoment() {
        PresenceChecker.runSeeds(PresenceChecker.Cluster.of(cluster.gateways().size(), cluster::webSocketUri,
                cluster::restartGateway, cluster::restartPresence,
                user -> SystemCluster.USERS.token(user, PresenceChecker.ROOMS)), 3, System.out::println);
    }
}
