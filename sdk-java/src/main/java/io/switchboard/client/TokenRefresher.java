package io.switchboard.client;

import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.RefreshToken;
import java.util.function.Consumer;

/**
 * Replaces the connection's token before it expires: at 80% of the token's lifetime it fetches a new one and
 * sends RefreshToken; the Ack makes it current. A failure is reported and the old token stays; if it then
 * expires the server closes with 3501 and the client reconnects with a fresh token. Not thread-safe: event
 * loop only.
 */
final class TokenRefresher {
    private final Scheduler loop;
    private final TokenManager tokens;
    private final PendingRequests requests;
    private final ConnectionStateMachine connection;
    private final Consumer<SwitchboardException> errors;
    private Scheduler.Cancellable timer;
    private int connectionEpoch;

    TokenRefresher(Scheduler loop, TokenManager tokens, PendingRequests requests, ConnectionStateMachine connection,
                   Consumer<SwitchboardException> errors) {
        this.loop = loop;
        this.tokens = tokens;
        this.requests = requests;
        this.connection = connection;
        this.errors = errors;
    }

    void onConnected() {
        connectionEpoch++;
        schedule();
    }

    void onConnectionLost() {
        connectionEpoch++;
        cancel();
    }

    private void schedule() {
        cancel();
        int epoch = connectionEpoch;
        tokens.untilRefresh().ifPresent(delay -> timer = loop.schedule(() -> refresh(epoch), delay));
    }

    private void refresh(int epoch) {
        tokens.fetch().whenComplete((token, error) -> loop.execute(() -> {
            if (epoch != connectionEpoch || !connection.connected()) {
                return; // the next connection authenticates with a fresh token anyway
            }
            if (error != null) {
                errors.accept(new SwitchboardException(ErrorCode.UNAVAILABLE, "token refresh: provider failed: " + error, true));
                return;
            }
            if (token.equals(tokens.token())) {
                return; // the provider has nothing newer: refreshing would change nothing
            }
            int requestId = requests.register(PendingRequests.of(frame -> {
                if (frame.hasAck()) {
                    tokens.accept(token);
                    if (epoch == connectionEpoch) {
                        schedule();
                    }
                } else if (frame.hasError()) {
                    errors.accept(SwitchboardException.of(frame.getError()));
                }
            }, () -> { }));
            connection.send(ClientFrame.newBuilder().setRefresh(RefreshToken.newBuilder().setRequestId(requestId).setToken(token)).build());
        }));
    }

    void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }
}
