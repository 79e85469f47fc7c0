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
 * properties, then the YAML file given with {@code --config}. What no source sets takes the default from the
 * tier's key catalogue. Stateless.
 */
public final class ConfigFiles {
    private ConfigFiles() {
    }

    /** Environment variables, system properties, then {@code file}. */
    public static Config load(Optional<Path> file) {
        return layered(List.of(ConfigSources.environmentVariables(), ConfigSources.systemProperties().build()), file);
    }

    /**
     * {@code overrides} (highest priority first), then {@code file}.
     *
     * @throws IllegalArgumentException when {@code file} is not a readable file
     */
    public static Config layered(List<ConfigSource> overrides, Optional<Path> file) {
        List<ConfigSource> sources = new ArrayList<>(overrides);
        file.ifPresent(path -> sources.add(ConfigSources.file(readable(path)).build()));
        Config.Builder builder = Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource();
        sources.forEach(builder::addSource);
        return builder.build();
    }

    /**
     * Returns {@code path} when it is a readable file.
     *
     * @throws IllegalArgumentException {@code --config: <path> (expected: a readable YAML file)} otherwise
     */
    public static Path readable(Path path) {
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException("--config: " + path + " (expected: a readable YAML file)");
        }
        return path;
    }
}
