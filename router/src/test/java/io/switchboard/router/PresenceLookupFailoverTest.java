package io.switchboard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.switchboard.proto.internal.v1.UserPresence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The router's user lookups over several presence instances (in-process gRPC): one that is down is skipped. */
class PresenceLookupFailoverTest {
    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void tearDown() {
        channels.forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
    }

    private ManagedChannel channelTo(FakePresence presence) throws Exception {
        String name = InProcessServerBuilder.generateName();
        if (presence != null) {
            servers.add(InProcessServerBuilder.forName(name).directExecutor().addService(presence).build().start());
        }
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        channels.add(channel);
        return channel;
    }

    private static PresenceLookup lookup(List<ManagedChannel> instances) {
        return new PresenceLookup(instances, Duration.ofSeconds(5), Duration.ofMinutes(1), 100, Ticker.systemTicker());
    }

    @Test
    void aDeadOrRefusingInstanceIsSkippedAndTheNextAnswers() throws Exception {
        FakePresence refusing = new FakePresence();
        refusing.failWith(Status.UNAVAILABLE.withDescription("warming up"));
        FakePresence alive = new FakePresence();
        alive.connect("ann", "s1", "gw-1");

        PresenceLookup lookup = lookup(List.of(channelTo(null), channelTo(refusing), channelTo(alive)));

        UserPresence ann = lookup.lookup("ann", null).get();
        assertThat(ann.getConnectionsList()).extracting(c -> c.getGatewayId()).containsExactly("gw-1");
        assertThat(refusing.lookups("ann")).isEqualTo(1);
        // The instance that answered is asked first from now on.
        lookup.invalidate("ann");
        lookup.lookup("ann", null).get();
        assertThat(refusing.lookups("ann")).isEqualTo(1);
        assertThat(alive.lookups("ann")).isEqualTo(2);
    }

    @Test
    void withEveryInstanceUnavailableTheLookupFailsUnavailable() throws Exception {
        FakePresence refusing = new FakePresence();
        refusing.failWith(Status.UNAVAILABLE.withDescription("warming up"));

        PresenceLookup lookup = lookup(List.of(channelTo(null), channelTo(refusing)));

        assertThatThrownBy(() -> lookup.lookup("ann", null).get()).isInstanceOf(ExecutionException.class)
                .cause().hasMessage("UNAVAILABLE: warming up");
    }
}
