package io.switchboard.history;

import io.switchboard.service.ServiceMain;

/**
 * {@code java -jar switchboard-history-service.jar [--config FILE]}: loads the configuration (environment variables, system
 * properties, FILE, then the classpath defaults), starts one history service and stops it gracefully on SIGTERM
 * (see {@link ServiceMain}).
 */
public final class HistoryMain {
    static {
        ServiceMain.installLogManager();
    }

    private HistoryMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run("history", "switchboard-history-service.jar", args, HistoryConfig::from,
                config -> config.get(HistoryKeys.ID), config -> config.get(HistoryKeys.LOG_FORMAT),
                HistoryServer::create);
    }
}
