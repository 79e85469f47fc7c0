package io.switchboard.testkit;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequiredToolTest {
    @Test
    void aMissingToolSkipsOutsideCi() {
        assertThatThrownBy(() -> new RequiredTool(Map.of()).check(false, "chromium (apt-get install chromium)"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("chromium (apt-get install chromium)");
        assertThatThrownBy(() -> new RequiredTool(Map.of("CI", "false")).check(false, "node"))
                .isInstanceOf(TestAbortedException.class);
    }

    @Test
    void aMissingToolFailsInCi() {
        assertThatThrownBy(() -> new RequiredTool(Map.of("CI", "true")).check(false, "haproxy"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("missing in CI").hasMessageContaining("haproxy");
        assertThatThrownBy(() -> new RequiredTool(Map.of("CI", "1")).check(false, "nginx"))
                .isInstanceOf(AssertionFailedError.class);
    }

    @Test
    void aPresentToolPassesEverywhere() {
        assertThatCode(() -> new RequiredTool(Map.of("CI", "true")).check(true, "bash")).doesNotThrowAnyException();
        assertThatCode(() -> RequiredTool.command(List.of("true"), "coreutils")).doesNotThrowAnyException();
    }
}
