package io.switchboard.router;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouterMainTest {
    @Test
    void parsesTheConfigFileInBothForms() {
        assertThat(RouterMain.parseArgs(new String[0])).contains(Optional.empty());
        assertThat(RouterMain.parseArgs(new String[] {"--config", "a.yaml"})).contains(Optional.of(Path.of("a.yaml")));
        assertThat(RouterMain.parseArgs(new String[] {"--config=b.yaml"})).contains(Optional.of(Path.of("b.yaml")));
        assertThat(RouterMain.parseArgs(new String[] {"--help"})).isEmpty();
    }

    @Test
    void rejectsUnknownOrIncompleteArguments() {
        assertThatThrownBy(() -> RouterMain.parseArgs(new String[] {"--config"}))
                .hasMessage("argument: '--config' (expected: --config FILE)");
        assertThatThrownBy(() -> RouterMain.parseArgs(new String[] {"--port", "1"}))
                .hasMessageContaining("'--port'");
    }
}
