package io.switchboard.gateway.ws;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.websocket.WsUpgrader;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Works around a race in Helidon 4.5.0: {@code WsUpgrader} checks each upgrade's {@code Connection} header against a
 * shared constant header whose value list {@code HeaderValueSingle.allValues()} creates lazily and without
 * synchronization. The first upgrades of a fresh JVM, arriving together, could iterate that list while another
 * upgrade was still adding its value ({@code ConcurrentModificationException}, answered 500; seen once in CI).
 * Checking one set of upgrade headers before the server accepts any creates the list once, on one thread; from then
 * on it is only read. Remove once Helidon creates it eagerly. Extends {@code WsUpgrader} only to reach its protected
 * static check; never instantiated.
 */
public final class UpgradeHeaderPrimer extends WsUpgrader {
    private static final Logger LOG = Logger.getLogger(UpgradeHeaderPrimer.class.getName());

    private UpgradeHeaderPrimer() {
        super(null);
    }

    /** Runs Helidon's upgrade check once; a failure is logged (the race stays possible), never thrown. */
    public static void prime() {
        try {
            WritableHeaders<?> headers = WritableHeaders.create();
            headers.set(HeaderNames.UPGRADE, "websocket");
            headers.set(HeaderNames.CONNECTION, "Upgrade");
            if (!isWebSocketUpgrade(headers)) {
                LOG.warning("Helidon's WebSocket upgrade check did not recognise an upgrade while priming it");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not prime Helidon's WebSocket upgrade check", e);
        }
    }
}
