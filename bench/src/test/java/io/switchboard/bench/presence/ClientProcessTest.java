package io.switchboard.bench.presence;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A real child JVM whose clients cannot connect reports FAILED, and the parent sees it within its deadline. */
class ClientProcessTest {
    @Test
    void aChildThatCannotConnectReportsWhy() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ClientShare share = new ClientShare(0, 2, 2, Duration.ofSeconds(5),
                List.of(URI.create("ws://127.0.0.1:" + closedPort + "/ws")));

        try (ClientProcess child = ClientProcess.start("presence-clients-test", share)) {
            assertThatThrownBy(() -> child.await(Duration.ofSeconds(60), PresenceClients.READY))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("failed: ")
                    .hasMessageContaining("connecting failed");
        }
    }
}
