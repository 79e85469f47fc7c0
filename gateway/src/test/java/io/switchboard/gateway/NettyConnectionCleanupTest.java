package io.switchboard.gateway;

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
        h = GatewayHarness.startWithNetty(ConnectionCleanupTest::limits);
    }

    @ParameterizedTest
    @EnumSource(ConnectionCleanupTest.Ending.class)
    void anEndedConnectionGivesItsUsersPlaceBack(ConnectionCleanupTest.Ending ending) throws Exception {
        ConnectionCleanupTest.endAgainAndAgain(h, h.nettyUri(), ending);
    }
}
