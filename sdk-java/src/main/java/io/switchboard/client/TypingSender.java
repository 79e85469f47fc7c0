package io.switchboard.client;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Ephemeral;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

/**
 * This user's typing indicators: a "typing" Ephemeral when typing starts, renewed every
 * {@code typingRenewInterval} (below the server's ttl, so receivers never see it lapse) while the
 * application keeps reporting activity, and a stop when it says so or after {@code typingIdleTimeout}
 * without activity. Not thread-safe: event loop only.
 */
final class TypingSender {
    private static final class Typing {
        Instant lastActivity;
        Scheduler.Cancellable renewal;
    }

    private final ClientSettings settings;
    private final Scheduler loop;
    private final ConnectionStateMachine connection;
    private final InstantSource clock;
    private final Map<String, Typing> rooms = new HashMap<>();

    TypingSender(ClientSettings settings, Scheduler loop, ConnectionStateMachine connection) {
        this.settings = settings;
        this.loop = loop;
        this.connection = connection;
        this.clock = settings.clock();
    }

    void setTyping(String room, boolean typing) {
        Typing state = rooms.get(room);
        if (typing) {
            if (state == null) {
                state = new Typing();
                rooms.put(room, state);
                send(room, false);
                scheduleRenewal(room, state);
            }
            state.lastActivity = clock.instant();
        } else if (state != null) {
            forget(room);
            send(room, true);
        }
    }

    private void scheduleRenewal(String room, Typing state) {
        state.renewal = loop.schedule(() -> {
            if (rooms.get(room) != state) {
                return;
            }
            Duration idle = Duration.between(state.lastActivity, clock.instant());
            if (idle.compareTo(settings.typingIdleTimeout()) >= 0) {
                rooms.remove(room);
                send(room, true);
            } else {
                send(room, false);
                scheduleRenewal(room, state);
            }
        }, settings.typingRenewInterval());
    }

    /** Stops tracking {@code room} without telling the server (the subscription is gone). */
    void forget(String room) {
        Typing state = rooms.remove(room);
        if (state != null && state.renewal != null) {
            state.renewal.cancel();
        }
    }

    boolean typing(String room) {
        return rooms.containsKey(room);
    }

    private void send(String room, boolean stop) {
        // Offline, nothing is sent: receivers' indicators expire on their own, and a renewal follows.
        connection.send(ClientFrame.newBuilder().setEphemeral(
                Ephemeral.newBuilder().setRoom(room).setKind(TypingTracker.KIND).setStop(stop)).build());
    }
}
