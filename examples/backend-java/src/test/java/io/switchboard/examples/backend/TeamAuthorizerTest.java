package io.switchboard.examples.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.switchboard.proto.api.v1.AuthorizeRequest;
import io.switchboard.proto.api.v1.AuthorizeResponse;
import io.switchboard.proto.api.v1.AuthorizerGrpc;
import io.switchboard.proto.api.v1.Verb;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The example Authorizer answers over gRPC as a gateway would ask it. */
class TeamAuthorizerTest {
    private Server server;
    private ManagedChannel channel;
    private AuthorizerGrpc.AuthorizerBlockingStub authorizer;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(new TeamAuthorizer()).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        authorizer = AuthorizerGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private AuthorizeResponse ask(String room, Verb verb, boolean lead, String... teams) {
        ListValue.Builder list = ListValue.newBuilder();
        for (String team : teams) {
            list.addValues(Value.newBuilder().setStringValue(team));
        }
        return authorizer.withDeadlineAfter(5, TimeUnit.SECONDS).authorize(AuthorizeRequest.newBuilder()
                .setUserId("alice").setRoom(room).setVerb(verb).setGatewayId("gw-1").setSessionId("s-1")
                .setClaims(Struct.newBuilder()
                        .putFields("sub", Value.newBuilder().setStringValue("alice").build())
                        .putFields("teams", Value.newBuilder().setListValue(list).build())
                        .putFields("lead", Value.newBuilder().setBoolValue(lead).build()))
                .build());
    }

    @Test
    void membersMayActInTheirTeamsRoomsForAMinute() {
        AuthorizeResponse r = ask("team:blue", Verb.VERB_SUBSCRIBE, false, "red", "blue");
        assertThat(r.getAllow()).isTrue();
        assertThat(r.getTtl().getSeconds()).isEqualTo(60);
        assertThat(ask("team:blue:random", Verb.VERB_PUBLISH, false, "blue").getAllow()).isTrue();
    }

    @Test
    void othersAreDeniedWithAReasonForTheClient() {
        AuthorizeResponse r = ask("team:green", Verb.VERB_HISTORY, false, "red", "blue");
        assertThat(r.getAllow()).isFalse();
        assertThat(r.getReason()).isEqualTo("not a member of team green");
        assertThat(ask("chat:lobby", Verb.VERB_SUBSCRIBE, true, "blue").getReason())
                .isEqualTo("only team rooms are decided here");
        assertThat(ask("team:blue", Verb.VERB_SUBSCRIBE, false).getAllow()).as("no teams claim").isFalse();
    }

    @Test
    void onlyLeadsPublishAnnouncements() {
        assertThat(ask("team:blue:announce", Verb.VERB_SUBSCRIBE, false, "blue").getAllow()).isTrue();
        AuthorizeResponse member = ask("team:blue:announce", Verb.VERB_PUBLISH, false, "blue");
        assertThat(member.getAllow()).isFalse();
        assertThat(member.getReason()).isEqualTo("only team leads announce in team:blue:announce");
        assertThat(ask("team:blue:announce", Verb.VERB_PUBLISH, true, "blue").getAllow()).isTrue();
    }
}
