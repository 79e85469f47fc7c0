package io.switchboard.service;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceMainTest {
    @Test
    void parsesTheConfigFileInBothForms() {
        assertThat(ServiceMain.parseArgs(new String[0])).contains(Optional.empty());
        assertThat(ServiceMain.parseArgs(new String[] {"--config", "a.yaml"})).contains(Optional.of(Path.of("a.yaml")));
        assertThat(ServiceMain.parseArgs(new String[] {"--config=b.yaml"})).contains(Optional.of(Path.of("b.yaml")));
        assertThat(ServiceMain.parseArgs(new String[] {"--help"})).isEmpty();
    }

    @Test
    void rejectsUnknownOrIncompleteArguments() {
        assertThatThrownBy(() -> ServiceMain.parseArgs(new String[] {"--config"}))
                .hasMessageContaining("Missing required parameter for option '--config'");
        assertThatThrownBy(() -> ServiceMain.parseArgs(new String[] {"--port", "1"}))
                .hasMessageContaining("'--port'");
    }

    @Test
    void usageNamesTheJarAndTheOption() {
        assertThat(ServiceMain.usage("switchboard-router.jar")).startsWith("Usage: java -jar switchboard-router.jar")
                .contains("--config=FILE", "-h, --help");
    }
}
