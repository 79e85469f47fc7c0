package io.switchboard.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlanTest {
    private static final List<URI> TWO = List.of(URI.create("ws://127.0.0.1:1/ws"), URI.create("ws://127.0.0.1:2/ws"));

    private static Plan fanout(int rooms, int members, int workers) {
        return new Plan(Workload.FANOUT, WireFormat.JSON, TWO, rooms, members, rooms, 0, 64,
                LoadSettings.DEFAULT_SECRET, 16, workers, 10, "t");
    }

    @Test
    void everyRoomHasItsMembersOnEveryGatewayAndOnePublisher() {
        Plan plan = fanout(10, 6, 3);
        Map<Integer, Integer> members = new HashMap<>();
        Map<Integer, Set<Integer>> gateways = new HashMap<>();
        Map<Integer, Integer> publishers = new HashMap<>();
        for (int c = 0; c < plan.clients(); c++) {
            int room = plan.roomOf(c);
            if (plan.isPublisher(c)) {
                publishers.merge(room, 1, Integer::sum);
            } else {
                members.merge(room, 1, Integer::sum);
                gateways.computeIfAbsent(room, r -> new HashSet<>()).add(plan.urlOf(c));
            }
        }
        assertThat(plan.clients()).isEqualTo(70);
        assertThat(members).hasSize(10).allSatisfy((room, n) -> assertThat(n).isEqualTo(6));
        assertThat(gateways).allSatisfy((room, g) -> assertThat(g).containsExactlyInAnyOrder(0, 1));
        assertThat(publishers).hasSize(10).allSatisfy((room, n) -> assertThat(n).isEqualTo(1));
    }

    @Test
    void clientsSpreadOverWorkersAndSourceAddresses() {
        Plan plan = fanout(10, 6, 3);
        Set<String> addresses = new HashSet<>();
        int[] perWorker = new int[3];
        for (int c = 0; c < plan.clients(); c++) {
            perWorker[plan.workerOf(c)]++;
            addresses.add(plan.sourceAddress(c));
        }
        assertThat(perWorker).containsExactly(24, 23, 23);
        assertThat(addresses).hasSize(16).allSatisfy(a -> assertThat(a).startsWith("127.1."));
    }

    @Test
    void rejectsAPlanWithoutRooms() {
        assertThatThrownBy(() -> fanout(0, 6, 1)).hasMessage("rooms: 0 (expected: >= 1)");
    }

    @Test
    void takesWsAndWssUrlsAndNothingElse() {
        List<URI> secure = List.of(URI.create("wss://gateway.example:443/ws"), URI.create("wss://gateway.example/ws"));
        assertThat(new Plan(Workload.FANOUT, WireFormat.JSON, secure, 1, 1, 1, 0, 64, LoadSettings.DEFAULT_SECRET, 1,
                1, 1, "t").urls()).isEqualTo(secure);
        assertThat(ClientPool.port(secure.get(1))).isEqualTo(443);
        assertThat(ClientPool.port(URI.create("ws://gateway.example/ws"))).isEqualTo(80);
        assertThatThrownBy(() -> new Plan(Workload.FANOUT, WireFormat.JSON, List.of(URI.create("http://127.0.0.1:1/ws")),
                1, 1, 1, 0, 64, LoadSettings.DEFAULT_SECRET, 1, 1, 1, "t"))
                .hasMessage("url: http://127.0.0.1:1/ws (expected: ws://HOST[:PORT]/PATH or wss://...)");
    }

    @Test
    void clientsBindLoopbackSourceAddressesOnlyToReachAGatewayOnLoopback() throws Exception {
        Plan spread = fanout(10, 6, 3);
        assertThat(spread.bindsSource(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(spread.bindsSource(InetAddress.getByName("::1"))).isTrue();
        // A loopback source cannot reach another host: the kernel picks the source there.
        assertThat(spread.bindsSource(InetAddress.getByAddress(new byte[] {10, 0, 0, 7}))).isFalse();
        assertThat(spread.bindsSource(null)).as("an unresolved host").isFalse();
        assertThat(new Plan(Workload.FANOUT, WireFormat.JSON, TWO, 1, 1, 1, 0, 64, LoadSettings.DEFAULT_SECRET, 1, 1,
                1, "t").bindsSource(InetAddress.getByName("127.0.0.1"))).as("one source address").isFalse();
    }
}
