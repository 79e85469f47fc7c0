package io.switchboard.service;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.config.spi.ConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How every tier assembles its configuration, highest priority first: environment variables, system
 * properties, the YAML file given with {@code --config}, then the defaults bundled in its jar. Stateless.
 */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /** Environment variables, system properties, {@code file}, then the classpath {@code defaultsResource}. */
    public static Config load(Optional<Path> file, String defaultsResource) {
        return layered(List.of(ConfigSources.environmentVariables(), ConfigSources.systemProperties().build()),
                file, defaultsResource);
    }

    /**
     * {@code overrides} (highest priority first), then {@code file}, then the classpath {@code defaultsResource}.
     *
     * @throws IllegalArgumentException when {@code file} is not a readable file
     */
    public static Config layered(List<ConfigSource> overrides, Optional<Path> file, String defaultsResource) {
        List<ConfigSource> sources = new ArrayList<>(overrides);
        file.ifPresent(path -> {
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw new IllegalArgumentException("--config: " + path + " (expected: a readable YAML file)");
            }
            sources.add(ConfigSources.file(path).build());
        });
        sources.add(ConfigSources.classpath(defaultsResource).build());
        Config.Builder builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource();
        sources.forEach(builder::addSource);
        return builder.build();
    }
}
