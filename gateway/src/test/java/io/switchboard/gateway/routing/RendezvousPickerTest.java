package io.switchboard.gateway.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RendezvousPickerTest {
    private static final List<RouterEndpoint> THREE = List.of(
            RouterEndpoint.parse("10.0.0.1:7070"), RouterEndpoint.parse("10.0.0.2:7070"),
            RouterEndpoint.parse("10.0.0.3:7070"));
    private static final List<String> ROOMS = IntStream.range(0, 30_000).mapToObj(i -> "room:" + i).toList();

    @Test
    void ownerDoesNotDependOnListOrder() {
        RendezvousPicker a = new RendezvousPicker(THREE);
        RendezvousPicker b = new RendezvousPicker(List.of(THREE.get(2), THREE.get(0), THREE.get(1)));
        for (String room : ROOMS.subList(0, 2000)) {
            assertThat(b.pick(room)).isEqualTo(a.pick(room));
        }
    }

    @Test
    void spreadsRoomsEvenly() {
        RendezvousPicker picker = new RendezvousPicker(THREE);
        Map<RouterEndpoint, Integer> counts = new HashMap<>();
        ROOMS.forEach(r -> counts.merge(picker.pick(r), 1, Integer::sum));
        assertThat(counts).hasSize(3);
        // 10,000 expected per router; allow +/- 5%.
        counts.values().forEach(n -> assertThat(n).isBetween(9_500, 10_500));
    }

    @Test
    void removingARouterMovesOnlyItsRooms() {
        RendezvousPicker before = new RendezvousPicker(THREE);
        RendezvousPicker after = new RendezvousPicker(THREE.subList(0, 2));
        int moved = 0;
        for (String room : ROOMS) {
            RouterEndpoint old = before.pick(room);
            if (old.equals(THREE.get(2))) {
                moved++;
            } else {
                assertThat(after.pick(room)).isEqualTo(old);
            }
        }
        assertThat(moved).isBetween(9_500, 10_500);
    }

    @Test
    void rankStartsWithTheOwnerAndListsEveryRouterOnce() {
        RendezvousPicker picker = new RendezvousPicker(THREE);
        for (String room : ROOMS.subList(0, 500)) {
            List<RouterEndpoint> rank = picker.rank(room);
            assertThat(rank.getFirst()).isEqualTo(picker.pick(room));
            assertThat(rank).containsExactlyInAnyOrderElementsOf(THREE);
        }
    }

    @Test
    void weightIsPinned() {
        // Pinned so that other implementations (and future refactorings) can check that they agree.
        assertThat(RendezvousPicker.weight("10.0.0.1:7070".getBytes(), "chat:lobby".getBytes()))
                .isEqualTo(0x7ab4762803349e7dL);
        RendezvousPicker picker = new RendezvousPicker(THREE);
        assertThat(List.of("chat:lobby", "a", "room:42").stream().map(r -> picker.pick(r).toString()).toList())
                .containsExactly("10.0.0.3:7070", "10.0.0.2:7070", "10.0.0.1:7070");
    }

    @Test
    void parsesEndpoints() {
        assertThat(RouterEndpoint.parse("router-1:7070")).isEqualTo(new RouterEndpoint("router-1", 7070));
        assertThat(RouterEndpoint.parse("[::1]:7070").host()).isEqualTo("::1");
        assertThat(RouterEndpoint.parse("[::1]:7070").toString()).isEqualTo("[::1]:7070");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RouterEndpoint.parse("nohost"))
                .hasMessageContaining("expected: host:port");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RouterEndpoint.parse("h:99999"))
                .hasMessageContaining("1-65535");
    }
}
