package io.switchboard.gateway;

import io.switchboard.service.ConfigFiles;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Run in a child JVM by {@link ClusterConfigTest} with the environment under test: loads the configuration the way
 * {@code GatewayMain} does ({@link GatewayConfig#load}, with the real environment-variable source) and prints the
 * routers, or {@code error: <message>}.
 */
public final class RoutersProbe {
    private RoutersProbe() {
    }

    public static void main(String[] args) {
        try {
            Optional<Path> file = args.length == 0 ? Optional.empty() : Optional.of(Path.of(args[0]));
            GatewayConfig config = GatewayConfig.from(ConfigFiles.load(file));
            System.out.println(config.routers());
        } catch (IllegalArgumentException e) {
            System.out.println("error: " + e.getMessage());
        }
    }
}
