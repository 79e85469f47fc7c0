package io.switchboard.chaos;

import io.switchboard.drill.DrillReport;
import io.switchboard.testkit.Haproxy;
import io.switchboard.testkit.RequiredTool;
import io.switchboard.testkit.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chaos scenario with TLS everywhere: the SDK clients speak {@code wss://} to HAProxy (trusting the cluster's
 * CA), HAProxy terminates it and re-encrypts to the gateways' own {@code wss://} port (checking their
 * certificates), mutual TLS between gateways, routers, presence and history (each process with its own development
 * certificate), every Kafka client on the broker's SSL listener with a client certificate. A router is SIGKILLed
 * under an SDK load through HAProxy and restarted; the promise must hold as it does in plaintext
 * ({@link ChaosSuiteTest}), and the restarted router must take mutual-TLS calls again (the drill waits for it to be
 * ready and the load reaches it). Report: target/chaos-report-tls.{json,md}.
 */
class TlsChaosTest {
    private static final String SECRET = "chaos-tls-secret-0123456789abcdef-01";
    private static final TestTokens TOKENS = TestTokens.hs256(SECRET);
    private static final DrillReport REPORT = new DrillReport();
    private static ProcessCluster cluster;
    private static ChaosDrills drills;

    @BeforeAll
    static void start() {
        RequiredTool.executable(Haproxy.BINARY, "apt-get install haproxy; .ci/run installs it");
        cluster = ProcessCluster.start(new ProcessCluster.Options(1, 2, 2, true, true, true, false, SECRET).withTls());
        int load = Integer.getInteger("chaos.tls.clients", 40);
        drills = new ChaosDrills(cluster, TOKENS, REPORT, load, load);
        assertThat(cluster.balancedUri().getScheme()).as("the clients' hop").isEqualTo("wss");
        REPORT.environment("cluster", "TLS everywhere: 1 Kafka broker (SSL listener, client certificates), 2 routers,"
                        + " 2 gateways (wss://) behind HAProxy (terminating wss://, re-encrypting to the gateways),"
                        + " presence, history; mutual TLS between the tiers; each its own JVM")
                .environment("load", load + " publishers and " + load + " subscribers (Java SDK) over wss:// through"
                        + " HAProxy");
    }

    @AfterAll
    static void stop() {
        ChaosDrills.finish(REPORT, "chaos-report-tls", cluster);
    }

    @Test
    void sigkillARouterWithTlsEverywhere() {
        drills.killRouter("kill-router-tls", ", TLS everywhere");
    }
}
