package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.switchboard.gateway.GatewayKeys;
import io.switchboard.history.HistoryKeys;
import io.switchboard.presence.PresenceKeys;
import io.switchboard.router.RouterKeys;
import io.switchboard.service.config.KeyCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The YAML files the project ships (the tiers' starting points in deploy/config, the local cluster's files and the
 * launcher's bundled defaults) hold only keys a catalogue knows, each with a value its key accepts.
 */
class ConfigFilesTest {
    private static final List<KeyCatalogue> CATALOGUES = List.of(GatewayKeys.CATALOGUE, RouterKeys.CATALOGUE,
            PresenceKeys.CATALOGUE, HistoryKeys.CATALOGUE, LauncherKeys.CATALOGUE);

    static Stream<Path> files() throws IOException {
        Stream<Path> deploy = Stream.of(Path.of("..", "deploy", "config"), Path.of("..", "deploy", "local-cluster",
                "config")).flatMap(ConfigFilesTest::yamlFiles);
        return Stream.concat(deploy, Stream.of(Path.of("src", "main", "resources", "switchboard-defaults.yaml")));
    }

    private static Stream<Path> yamlFiles(Path dir) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void everyKeyIsKnownAndEveryValueValid(Path file) {
        Config config = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .sources(ConfigSources.file(file)).build();
        for (KeyCatalogue catalogue : CATALOGUES) {
            assertThat(catalogue.unknownKeys(config)).as(file + " under " + catalogue.root()).isEmpty();
            assertThatCode(() -> catalogue.readValues(config)).as(file.toString()).doesNotThrowAnyException();
        }
        assertThat(config.asMap().orElseThrow()).as(file + " sets something").isNotEmpty();
    }
}
