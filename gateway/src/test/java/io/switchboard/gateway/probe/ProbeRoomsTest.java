package io.switchboard.gateway.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.proto.Names;
import org.junit.jupiter.api.Test;

/** One reserved probe room per partition, the same list on every gateway, and a probe payload that round-trips. */
class ProbeRoomsTest {
    @Test
    void eachPartitionGetsOneReservedRoomThatMapsToIt() {
        RoomLogTopic layout = new RoomLogTopic("switchboard.rooms", "AAAAAAAAAAAAAAAAAAAAAA", 64);
        List<String> rooms = ProbeRooms.of(layout.partitions(), layout::partitionOf);
        assertThat(rooms).hasSize(64).doesNotHaveDuplicates();
        for (int p = 0; p < rooms.size(); p++) {
            assertThat(layout.partitionOf(rooms.get(p))).isEqualTo(p);
            assertThat(Names.roomProblem(rooms.get(p))).isEmpty();
            assertThat(Names.clientRoomProblem(rooms.get(p))).get().asString().contains("reserved namespace");
        }
        assertThat(ProbeRooms.of(layout.partitions(), layout::partitionOf)).isEqualTo(rooms);
    }

    @Test
    void theProbePayloadRoundTripsAndOtherTextIsNoProbe() {
        ProbeMessage m = new ProbeMessage("gateway 1", "cafe0001", 42, true, 12, false);
        assertThat(ProbeMessage.parse(m.encode())).contains(m);
        assertThat(ProbeMessage.parse(com.google.protobuf.ByteString.copyFromUtf8("hello"))).isEmpty();
        assertThat(ProbeMessage.parse(com.google.protobuf.ByteString.copyFromUtf8(
                "switchboard-probe/1 r x hello gw"))).isEmpty();
    }
}
