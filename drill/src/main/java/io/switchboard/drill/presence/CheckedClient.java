package io.switchboard.drill.presence;

import io.switchboard.client.ConnectionState;
import io.switchboard.client.RoomListener;
import io.switchboard.client.MemberList;
import io.switchboard.client.Subscription;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Message;
import io.switchboard.proto.client.v1.PresenceStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One device of a user in the checker: a Java-SDK client on one gateway, subscribed with presence to some rooms.
 * Its member lists are what the checker compares with the truth. Thread-safe as the SDK is; the checker's own
 * bookkeeping (rooms) is touched by its one thread.
 */
final class CheckedClient {
    private final String name;
    private final String user;
    private final int gateway;
    private final SwitchboardClient client;
    private final Map<String, Subscription> rooms = new LinkedHashMap<>();
    private final Consumer<String> log;

    private CheckedClient(String name, String user, int gateway, SwitchboardClient client, Consumer<String> log) {
        this.name = name;
        this.user = user;
        this.gateway = gateway;
        this.client = client;
        this.log = log;
    }

    /** Connects (without waiting), subscribes to {@code rooms} with presence and sets {@code status} if given. */
    static CheckedClient open(String name, String user, int gateway, URI url, Function<String, String> tokens,
                              Set<String> rooms, Optional<Status> status, ScheduledExecutorService scheduler,
                              HttpClient http, Consumer<String> log) {
        SwitchboardClient client = SwitchboardClient.builder()
                .url(url)
                .tokenProvider(() -> CompletableFuture.completedFuture(tokens.apply(user)))
                .scheduler(scheduler)
                .httpClient(http)
                .backoffInitial(Duration.ofMillis(200))
                .backoffMax(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(5))
                // A silent connection is dropped after two intervals: an in-process gateway restart can leave a
                // socket open whose close never came, and the quiet checks should not wait the default 50 s for it.
                .pingInterval(Duration.ofSeconds(5))
                .clientName("presence-checker/" + name)
                .build();
        CheckedClient checked = new CheckedClient(name, user, gateway, client, log);
        // What the SDK reports on its own goes to the log: it explains a list that does not converge.
        client.addErrorListener(error -> log.accept(checked + ": error " + error.getMessage()));
        client.addStateListener(change -> log.accept(checked + ": " + change));
        client.connect();
        rooms.forEach(checked::join);
        status.ifPresent(checked::setStatus);
        return checked;
    }

    String name() {
        return name;
    }

    String user() {
        return user;
    }

    int gateway() {
        return gateway;
    }

    Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    void join(String room) {
        rooms.computeIfAbsent(room, r -> client.subscribe(r, true, new RoomListener() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onClosed(ErrorCode reason, String message) {
                log.accept(CheckedClient.this + ": subscription of " + r + " ended: " + reason + " " + message);
            }
        }));
    }

    void leave(String room) {
        Subscription subscription = rooms.remove(room);
        if (subscription != null) {
            subscription.unsubscribe();
        }
    }

    /** Sets the status; the SDK sets it again after every reconnect, so a failure now (offline) is not final. */
    void setStatus(Status status) {
        client.setStatus(status.status(), status.text()).exceptionally(e -> null);
    }

    boolean connected() {
        return client.state() == ConnectionState.CONNECTED;
    }

    Optional<MemberList> members(String room) {
        Subscription subscription = rooms.get(room);
        return subscription == null ? Optional.empty() : subscription.members();
    }

    /** The application closes it (the WebSocket closes normally: a tab closed, a reload, a sign-out). */
    void close() {
        client.close();
    }

    @Override
    public String toString() {
        return name + "(" + user + "@gateway" + gateway + " " + rooms.keySet() + ")";
    }

    /** A user's status as the checker sets it. */
    record Status(PresenceStatus status, String text) {
        static final Status ONLINE = new Status(PresenceStatus.ONLINE, "");
    }
}
