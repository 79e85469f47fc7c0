package io.switchboard.client;

/**
 * Told about errors that answer no request of the application: Error frames without a request, failed
 * token refreshes, failed resubscribes and the close that ended the client. Called on the client's event
 * thread; must not block.
 */
@FunctionalInterface
public interface ErrorListener {
    void onError(SwitchboardException error);
}
