package io.switchboard.gateway.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import com.google.protobuf.ByteString;
import io.switchboard.gateway.MutableClock;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connect;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import org.junit.jupiter.api.Test;

/** Debug sessions end on time without sleeping (a clock moved by hand), and frames are redacted. */
class DebugSessionsTest {
    private final MutableClock clock = new MutableClock();
    private final DebugSessions sessions = new DebugSessions(clock, Duration.ofMinutes(30));

    @Test
    void aSessionMatchesItsTargetUntilItsEndAndIsSweptThen() {
        assertThat(sessions.active()).isFalse();
        DebugSession s = sessions.start(DebugSession.Target.USER, "alice", Duration.ofMinutes(1), false);
        assertThat(sessions.active()).isTrue();
        assertThat(sessions.matching("s-1", "alice", "")).contains(s);
        assertThat(sessions.matching("s-1", "bob", "chat:x")).isEmpty();

        clock.advance(Duration.ofSeconds(59));
        assertThat(sessions.matching("s-1", "alice", "")).contains(s);
        clock.advance(Duration.ofSeconds(1));
        assertThat(sessions.matching("s-1", "alice", "")).as("over at its end, before any sweep").isEmpty();
        sessions.sweep();
        assertThat(sessions.active()).isFalse();
        assertThat(sessions.list()).isEmpty();
    }

    @Test
    void roomAndConnectionTargetsAndEndingEarly() {
        DebugSession room = sessions.start(DebugSession.Target.ROOM, "chat:x", Duration.ofMinutes(1), true);
        DebugSession conn = sessions.start(DebugSession.Target.SESSION, "s-2", Duration.ofMinutes(1), false);
        assertThat(sessions.matching("s-9", "bob", "chat:x")).contains(room);
        assertThat(sessions.matching("s-2", "bob", "chat:y")).contains(conn);
        assertThat(sessions.end(room.id())).isTrue();
        assertThat(sessions.end(room.id())).isFalse();
        assertThat(sessions.matching("s-9", "bob", "chat:x")).isEmpty();
        assertThat(sessions.active()).isTrue();
    }

    @Test
    void durationsBeyondTheMaximumAndEmptyTargetsAreRefused() {
        assertThatThrownBy(() -> sessions.start(DebugSession.Target.USER, "alice", Duration.ofMinutes(31), false))
                .hasMessage("duration: PT31M (expected: > PT0S and <= PT30M, gateway.admin.debug-max-duration)");
        assertThatThrownBy(() -> sessions.start(DebugSession.Target.ROOM, " ", Duration.ofMinutes(1), false))
                .hasMessage("room: '' (expected: not empty)");
        assertThat(sessions.active()).isFalse();
    }

    @Test
    void tokensAreAlwaysRedactedPayloadsUnlessAskedFor() {
        ClientFrame connect = ClientFrame.newBuilder().setConnect(Connect.newBuilder().setToken("eyJ.secret")).build();
        assertThat(FrameRedactor.redact(connect, true).frame().toString()).doesNotContain("eyJ.secret")
                .contains("<redacted>");

        ClientFrame publish = ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRoom("chat:x")
                .setPayload(ByteString.copyFromUtf8("secret text"))).build();
        FrameRedactor.Redacted redacted = FrameRedactor.redact(publish, false);
        assertThat(redacted.payloadBytes()).isEqualTo(11);
        assertThat(redacted.frame().toString()).doesNotContain("secret").contains("chat:x");
        assertThat(FrameRedactor.redact(publish, true).frame()).isEqualTo(publish);
        assertThat(FrameRedactor.roomOf(publish)).isEqualTo("chat:x");
        assertThat(FrameRedactor.roomOf(ServerFrame.newBuilder().setMessage(Message.newBuilder().setRoom("r"))
                .build())).isEqualTo("r");
        assertThat(FrameRedactor.roomOf(connect)).isEmpty();
    }
}
