package io.switchboard.client;

/** Where a {@link SwitchboardClient}'s connection stands. */
public enum ConnectionState {
    /** Built, {@link SwitchboardClient#connect()} not called yet. */
    DISCONNECTED,
    /** The first connection attempt is under way. */
    CONNECTING,
    /** Authenticated: frames flow, subscriptions are (being) established. */
    CONNECTED,
    /** The connection was lost (or an attempt failed): waiting for the backoff delay or trying again. */
    RECONNECTING,
    /** Final: closed by {@link SwitchboardClient#close()} or by a close code that forbids reconnecting. */
    CLOSED
}
