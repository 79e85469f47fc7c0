package io.switchboard.router;

import io.switchboard.service.ServiceMain;

/**
 * {@code java -jar switchboard-router.jar [--config FILE]}: loads the configuration (environment variables, system
 * properties, FILE, then the classpath defaults), starts one router and stops it gracefully on SIGTERM
 * (see {@link ServiceMain}).
 */
public final class RouterMain {
    static {
        ServiceMain.installLogManager();
    }

    private RouterMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run("router", "switchboard-router.jar", args, RouterConfig::load, RouterConfig::id, RouterServer::create);
    }
}
