package io.switchboard.bench;

import io.switchboard.bench.baseline.BroadcastServer;
import io.switchboard.bench.baseline.BroadcastServerContract;

/** The Helidon baseline passes the baselines' shared suite. */
class BroadcastBaselineTest extends BroadcastServerContract {
    @Override
    protected BroadcastServer startServer() {
        return new BroadcastBaseline().start();
    }
}
