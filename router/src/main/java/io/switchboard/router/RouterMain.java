package io.switchboard.router;

import io.switchboard.service.ServiceMain;

/**
 * {@code java -jar switchboard-router.jar [--config FILE]}: loads the configuration (environment variables, system
 * properties, then FILE; the catalogue's defaults for what none sets), starts one router and stops it gracefully
 * on SIGTERM
 * (see {@link ServiceMain}).
 */
public final class RouterMain {
    static {
        ServiceMain.installLogManager();
    }

    private RouterMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run("router", "switchboard-router.jar", args, RouterConfig::from,
                config -> config.get(RouterKeys.ID), config -> config.get(RouterKeys.TELEMETRY.logFormat),
                RouterServer::create);
    }
}
