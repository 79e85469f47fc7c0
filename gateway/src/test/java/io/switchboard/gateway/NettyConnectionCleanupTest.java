package io.switchboard.gateway;

import java.net.URI;

import io.switchboard.gateway.ws.netty.NettyKeys;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ConnectionCleanupTest} through the Netty listener: however a connection ends (the gateway's close, the
 * frame decoder's and UTF-8 validator's closes, the client's close), its session is cleaned up once and its user's
 * place given back at once.
 */
class NettyConnectionCleanupTest {
    @AutoClose
    private static GatewayHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = GatewayHarness.start(c -> {
            ConnectionCleanupTest.limits(c);
            c.set(NettyKeys.PORT, 0);
        });
    }

    @ParameterizedTest
    @EnumSource(ConnectionCleanupTest.Ending.class)
    void anEndedConnectionGivesItsUsersPlaceBack(ConnectionCleanupTest.Ending ending) throws Exception {
        ConnectionCleanupTest.endAgainAndAgain(h, URI.create("ws://127.0.0.1:" + h.gateway.nettyPort().orElseThrow()
                + h.gateway.config().get(GatewayKeys.WS_PATH)), ending);
    }
}
