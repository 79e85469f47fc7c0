package io.switchboard.chaos;

import io.switchboard.drill.presence.PresenceChecker;
import io.switchboard.testkit.TestTokens;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The randomized presence checker on the multi-process cluster: two gateways and the presence service are real
 * processes, and a "restart" is a SIGKILL followed by a new process on the same ports. At every quiet moment each
 * SDK client's member list equals the truth. A few seeds per run ({@code -Dpresence.checker.seeds=N} for more,
 * {@code -Dpresence.checker.seed=S} replays one).
 */
class PresenceCheckerProcessTest {
    private static final String SECRET = "presence-checker-secret-0123456789abcdef";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);

    @AutoClose
    private static ProcessCluster cluster;

    @BeforeAll
    static void start() {
        // A short leave grace keeps the quiet checks quick; reloads and switches still fall inside it.
        cluster = ProcessCluster.start(new ProcessCluster.Options(1, 1, 2, false, true, false, false, SECRET)
                .withPresence("leave-grace", "PT1S"));
    }

    @Test
    void everyMemberListEqualsTheTruthAtEveryQuietMoment() {
        PresenceChecker.Cluster target = PresenceChecker.Cluster.of(cluster.webSocketUris().size(),
                gateway -> cluster.webSocketUris().get(gateway),
                gateway -> {
                    cluster.gateways().get(gateway).kill();
                    cluster.restart("gateway-" + (gateway + 1));
                },
                () -> {
                    cluster.presence().kill();
                    cluster.restart("presence");
                },
                user -> TOKENS.token(user, PresenceChecker.ROOMS));
        try {
            PresenceChecker.runSeeds(target, 2, System.out::println);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nservice logs:\n" + cluster.logs(), e);
        }
    }
}
