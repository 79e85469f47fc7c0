package io.switchboard.presence;

import io.switchboard.service.ServiceMain;

/**
 * {@code java -jar switchboard-presence-service.jar [--config FILE]}: loads the configuration (environment
 * variables, system properties, FILE, then the classpath defaults), starts one presence service and stops it
 * gracefully on SIGTERM (see {@link ServiceMain}).
 */
public final class PresenceMain {
    static {
        ServiceMain.installLogManager();
    }

    private PresenceMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run("presence", "switchboard-presence-service.jar", args, PresenceConfig::from,
                config -> config.get(PresenceKeys.ID), config -> config.get(PresenceKeys.LOG_FORMAT),
                PresenceServer::create);
    }
}
