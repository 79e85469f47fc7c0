package io.switchboard.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testkit.FanOutScenario;
import io.switchboard.testkit.TestTokens;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The foundation's end-to-end check with two routers and two gateways, each its own JVM process. */
class MultiProcessEndToEndTest {
    private static final String SECRET = "multi-process-secret-0123456789abcdef";
    @AutoClose
    private static ProcessCluster cluster;

    @BeforeAll
    static void start() {
        cluster = ProcessCluster.start(2, 2, SECRET);
    }

    @Test
    void everyAckedMessageReachesEverySubscriberAcrossProcesses() {
        try {
            int acked = new FanOutScenario(cluster.webSocketUris(), TestTokens.hs256(SECRET))
                    .messagesPerRoom(25)
                    .timeout(Duration.ofSeconds(45))
                    .run();
            assertThat(acked).isEqualTo(2 * 3 * 25);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nservice logs:\n" + cluster.logs(), e);
        }
        assertThat(cluster.routers()).allMatch(ServiceProcess::isAlive);
        assertThat(cluster.gateways()).allMatch(ServiceProcess::isAlive);
    }
}
