package io.switchboard.service;

import java.util.logging.LogManager;

/**
 * A JUL {@link LogManager} that can hold off {@link #reset()}: the JDK resets logging from its own shutdown
 * hook, concurrently with ours, which silently drops a service's "draining" and "stopped" lines. A service's
 * main installs it (through {@code java.util.logging.manager}), holds resets once logging is configured and
 * releases them when the service has stopped. Thread-safe.
 */
public final class ShutdownLogManager extends LogManager {
    private volatile boolean holdResets;

    /** Instantiated by the JDK from {@code java.util.logging.manager}. */
    public ShutdownLogManager() {
    }

    /** From now on, {@link #reset()} does nothing until {@link #releaseAndReset()}. */
    public void holdResets() {
        holdResets = true;
    }

    @Override
    public void reset() {
        if (!holdResets) {
            super.reset();
        }
    }

    /** Performs the reset that was held off (closing the handlers, flushing them). */
    public void releaseAndReset() {
        holdResets = false;
        super.reset();
    }
}
