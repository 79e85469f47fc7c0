package io.switchboard.client;

import io.switchboard.proto.client.v1.Member;
import io.switchboard.proto.client.v1.PresenceEvent;
import io.switchboard.proto.client.v1.PresencePage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Keeps one room's member list by the versioning rule of docs/protocol.md section 11.1:
 *
 * <ul>
 *   <li>{@link #reload} reads a page (on every subscription and resubscription, and on a gap); events that arrive
 *       while it is on the way are buffered, then those after the page's version are applied on top of it (those
 *       that arrived before the read was sent are in the page);</li>
 *   <li>an event whose {@code from_version} is the version held is applied; one whose {@code version} is at or
 *       below it is already contained and skipped; any other (a gap: an event was missed) or a new {@code epoch}
 *       (the presence service restarted) starts a new read, and the list shown stays until its page arrives;</li>
 *   <li>a summary (names left out) moves the counts; the names are read again if the room is small enough to list
 *       ({@code limit}), else the list is marked incomplete.</li>
 * </ul>
 *
 * <p>Not thread-safe: the client's event loop only. Every change is reported to {@code onChange}.
 */
final class MemberListTracker {
    /** What the tracker needs from the client. */
    interface Source {
        /** Sends a PresenceQuery for the first {@code limit} members; {@code answer} gets the page or the failure. */
        void read(int limit, Answer answer);

        /** True while the room is subscribed on the current connection, so a failed read may be tried again now. */
        boolean subscribed();

        Duration retryDelay(int attempt);

        Scheduler.Cancellable schedule(Runnable task, Duration delay);
    }

    /** The outcome of one read: a page, or a failure. */
    interface Answer {
        void page(PresencePage page);

        void failed(SwitchboardException error);
    }

    /** Events kept while a read is on the way; more means: read again once it is answered. */
    private static final int MAX_BUFFERED = 1000;

    private final String room;
    private final int limit;
    private final Source source;
    private final Consumer<MemberList> onChange;
    private final Map<String, Member> members = new TreeMap<>();
    private long users;
    private long connections;
    private boolean complete;
    private boolean loaded;
    private long version;
    private String epoch = "";
    /** Non-null while a read is on the way: the events that arrived since it was sent. */
    private List<PresenceEvent> buffer;
    private boolean overflowed;
    private int generation;
    private int attempts;
    private Scheduler.Cancellable retry;
    private boolean stopped;

    MemberListTracker(String room, int limit, Source source, Consumer<MemberList> onChange) {
        this.room = Objects.requireNonNull(room, "room");
        this.limit = limit;
        this.source = Objects.requireNonNull(source, "source");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
    }

    MemberList list() {
        return new MemberList(room, List.copyOf(members.values()), users, connections, complete, loaded, version, epoch);
    }

    /** Reads the list again; the one shown stays until the page arrives. */
    void reload() {
        if (stopped) {
            return;
        }
        cancelRetry();
        int current = ++generation;
        buffer = new ArrayList<>();
        overflowed = false;
        source.read(limit, new Answer() {
            @Override
            public void page(PresencePage page) {
                if (current == generation && !stopped) {
                    attempts = 0;
                    onPage(page);
                }
            }

            @Override
            public void failed(SwitchboardException error) {
                // A retriable failure (presence restarting, a timeout) is tried again while the room is subscribed;
                // otherwise the next subscription reads.
                if (current == generation && !stopped && error.retriable() && source.subscribed()) {
                    retry = source.schedule(() -> {
                        retry = null;
                        reload();
                    }, source.retryDelay(attempts++));
                }
            }
        });
    }

    /** A presence event of the room. */
    void onEvent(PresenceEvent event) {
        if (stopped) {
            return;
        }
        if (buffer != null) {
            if (buffer.size() < MAX_BUFFERED) {
                buffer.add(event);
            } else {
                overflowed = true;
            }
            return;
        }
        if (apply(event)) {
            onChange.accept(list());
        }
    }

    /** The subscription ended: no more reads or retries. */
    void stop() {
        stopped = true;
        cancelRetry();
        generation++;
    }

    private void onPage(PresencePage page) {
        List<PresenceEvent> buffered = buffer == null ? List.of() : buffer;
        buffer = null;
        members.clear();
        page.getMembersList().forEach(m -> members.put(m.getUserId(), m));
        users = page.getUsers();
        connections = page.getConnections();
        version = page.getVersion();
        epoch = page.getEpoch();
        complete = !page.getHasMore();
        loaded = true;
        boolean readAgain = overflowed;
        for (PresenceEvent event : buffered) {
            if (buffer != null) {
                break; // a gap started another read: the rest is in its page
            }
            apply(event);
        }
        onChange.accept(list());
        if (readAgain && buffer == null) {
            reload();
        }
    }

    /** Applies one event by the rule; true when the list changed. Starts a read on a gap or a new epoch. */
    private boolean apply(PresenceEvent event) {
        if (!loaded) {
            return false; // arrived before the first read was sent: its page contains this
        }
        if (epoch.isEmpty()) {
            applyLists(event); // a server without versioned presence: apply as it comes
            return true;
        }
        if (!event.getEpoch().equals(epoch)
                || (event.getVersion() > version && event.getFromVersion() != version)) {
            reload();
            return false;
        }
        if (event.getVersion() <= version) {
            return false; // already in the page
        }
        version = event.getVersion();
        applyLists(event);
        if (!complete && users <= limit) {
            reload(); // names are needed and fit: read them
        }
        return true;
    }

    private void applyLists(PresenceEvent event) {
        users = event.getUsers();
        connections = event.getConnections();
        if (event.getSummary()) {
            complete = false;
            return;
        }
        event.getJoinedList().forEach(m -> members.put(m.getUserId(), m));
        event.getUpdatedList().forEach(m -> members.put(m.getUserId(), m));
        event.getLeftList().forEach(members::remove);
    }

    private void cancelRetry() {
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
    }
}
