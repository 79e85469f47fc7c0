package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code launcher.demo.rooms}: which rooms the demo page's tokens grant. */
class DemoRoomsTest {

    private static List<String> read(Map<String, String> keys) {
        Config config = Config.just(ConfigSources.create(keys));
        return DemoTokenService.patterns(LauncherKeys.CATALOGUE.read(config).get(LauncherKeys.DEMO_ROOMS));
    }

    @Test
    void defaultsToTheDemoRooms() {
        assertThat(read(Map.of())).isEqualTo(DemoTokenService.DEMO_ROOMS).containsExactly("lobby", "demo:*");
    }

    @Test
    void takesACommaSeparatedListWithoutBlanks() {
        assertThat(read(Map.of("launcher.demo.rooms", " team:* , lobby ,,"))).containsExactly("team:*", "lobby");
    }

    @Test
    void refusesAListWithoutRooms() {
        assertThatThrownBy(() -> read(Map.of("launcher.demo.rooms", " , ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("launcher.demo.rooms");
    }
}
