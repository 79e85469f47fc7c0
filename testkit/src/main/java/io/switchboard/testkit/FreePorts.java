package io.switchboard.testkit;

import io.switchboard.service.LoopbackPorts;

/**
 * Finds loopback ports for processes that cannot be told to bind port 0 (child JVMs, HAProxy): ports below the
 * kernel's ephemeral range, so no outgoing connection takes one between the pick and the bind (see
 * {@link LoopbackPorts}).
 */
public final class FreePorts {
    private FreePorts() {
    }

    /** A port that is free on 127.0.0.1 now, outside the ephemeral range, not handed out before by this JVM. */
    public static int next() {
        return LoopbackPorts.pick();
    }
}
