package io.switchboard.client;

import com.google.protobuf.ByteString;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Connected;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryDirection;
import io.switchboard.proto.client.v1.HistoryPage;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.PresencePage;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.PresenceStatus;
import io.switchboard.proto.client.v1.ResumeFrom;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.client.v1.SetStatus;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;

/**
 * A Switchboard client: one logical connection to the platform that survives network failures, gateway
 * drains and token expiry. Subscriptions resume where they stopped (each message delivered exactly once, in
 * position order); publishes and stored direct messages are acknowledged, queued while offline and resent with the
 * same id.
 *
 * <p>Thread-safe: every method may be called from any thread. The client owns no thread: its work runs on
 * a scheduled executor (shareable by many clients through {@link Builder#scheduler}) one task at a time, and
 * every listener and future callback runs there too, so they must not block (never {@code join()} a
 * client future inside a listener).
 *
 * <p>Size: this is the SDK's whole public surface (connect, rooms, publish, presence, history, listeners) and its
 * {@link Builder}; each call delegates to a class with one job ({@code ConnectionStateMachine},
 * {@code RoomSubscriptions}, {@code Publisher}, {@code PendingRequests}), so the length is API, not logic.
 */
public final class SwitchboardClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SwitchboardClient.class.getName());

    private final ClientSettings settings;
    private final FileSettings fileSettings;
    private final FilePacer filePacer;
    private final EventLoop loop;
    private final Runnable releaseOwned;
    private final PendingRequests requests = new PendingRequests();
    private final TokenManager tokens;
    private final ConnectionStateMachine connection;
    private final Publisher publisher;
    private final RoomSubscriptions subscriptions;
    private final TypingSender typing;
    private final TokenRefresher refresher;
    private final List<ConnectionStateListener> stateListeners = new CopyOnWriteArrayList<>();
    private final List<ErrorListener> errorListeners = new CopyOnWriteArrayList<>();
    private final List<UserMessageListener> userMessageListeners = new CopyOnWriteArrayList<>();
    private final String idPrefix = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private final AtomicLong idCounter = new AtomicLong();
    private volatile Connected session;
    private SetStatus desiredStatus; // event loop only: re-applied on every connection

    private SwitchboardClient(ClientSettings settings, FileSettings fileSettings, Scheduler base, TransportConnector connector,
                              Runnable releaseOwned, ServerSubscriptionListener serverSubscriptions) {
        this.settings = settings;
        this.fileSettings = fileSettings;
        this.filePacer = new FilePacer(fileSettings.bytesPerSecond(), settings.clock());
        this.loop = new EventLoop(base);
        this.releaseOwned = releaseOwned;
        this.tokens = new TokenManager(settings.tokenProvider(), settings.clock());
        Backoff backoff = new Backoff(settings.backoffInitial(), settings.backoffMax(), settings.random());
        this.connection = new ConnectionStateMachine(settings, connector, loop, tokens, backoff, new Events());
        this.publisher = new Publisher(settings, loop, requests, connection, backoff);
        this.typing = new TypingSender(settings, loop, connection);
        // Rooms a backend subscribed this user to get files put together too.
        ServerSubscriptionListener withFiles = serverSubscriptions == null ? null : (subscription, subscribed) -> {
            RoomListener listener = serverSubscriptions.onServerSubscribed(subscription, subscribed);
            return listener == null ? null : new FileRoomListener(subscribed.getRoom(), listener, fileSettings, loop, settings.clock());
        };
        this.subscriptions = new RoomSubscriptions(settings, loop, requests, connection, backoff, typing::forget,
                withFiles);
        this.refresher = new TokenRefresher(loop, tokens, requests, connection, this::reportError);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts connecting (and reconnecting whenever the connection is lost, until {@link #close()} or a
     * terminal close code). The future completes on the first CONNECTED, or fails if the client closes first.
     * Calling it twice fails.
     */
    public CompletableFuture<Void> connect() {
        CompletableFuture<Void> started = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                connection.start();
                started.complete(null);
            } catch (IllegalStateException e) {
                started.completeExceptionally(e);
            }
        });
        return started.thenCompose(ignored -> connection.firstConnect());
    }

    public ConnectionState state() {
        return connection.state();
    }

    /** The Connected frame of the current (or last) connection: session id, user id, limits; null before. */
    public Connected session() {
        return session;
    }

    public void addStateListener(ConnectionStateListener listener) {
        stateListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeStateListener(ConnectionStateListener listener) {
        stateListeners.remove(listener);
    }

    public void addErrorListener(ErrorListener listener) {
        errorListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeErrorListener(ErrorListener listener) {
        errorListeners.remove(listener);
    }

    public void addUserMessageListener(UserMessageListener listener) {
        userMessageListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeUserMessageListener(UserMessageListener listener) {
        userMessageListeners.remove(listener);
    }

    /** Publishes with a generated id; see {@link #publish(String, String, byte[], String)}. */
    public CompletableFuture<Ack> publish(String room, byte[] payload) {
        return publish(room, nextId(), payload, null);
    }

    /** Publishes with a generated id; see {@link #publish(String, String, byte[], String)}. */
    public CompletableFuture<Ack> publish(String room, byte[] payload, String contentType) {
        return publish(room, nextId(), payload, contentType);
    }

    /**
     * Publishes {@code payload} into {@code room} with the idempotency id {@code id}. The future completes with
     * the Ack once the message is durably stored, whether sent now or (while offline) after the next connect;
     * it fails with a non-retriable server error, when the offline queue is full (RATE_LIMITED, retriable),
     * after the publish timeout (TIMEOUT: the outcome is unknown, publish again with the same id) or when the
     * client closes. The message is stored at most once however often it is resent.
     */
    public CompletableFuture<Ack> publish(String room, String id, byte[] payload, String contentType) {
        return publish(room, id, payload, contentType, null);
    }

    /**
     * As {@link #publish(String, String, byte[], String)}, sent with the W3C {@code traceparent} of the caller's
     * span (e.g. OpenTelemetry's current span, {@code 00-<trace id>-<span id>-<flags>}; null for none): a gateway
     * with tracing on continues that trace across the platform (docs/ops/tracing.md). Every resend carries it.
     */
    public CompletableFuture<Ack> publish(String room, String id, byte[] payload, String contentType,
                                          String traceparent) {
        return enqueuePublish(room, id, payload, contentType, traceparent, null);
    }

    /** Publishes a value of {@code conflationKey} with a generated id; see {@link #publishConflated(String, String, String, byte[], String)}. */
    public CompletableFuture<Ack> publishConflated(String room, String conflationKey, byte[] payload,
                                                   String contentType) {
        return publishConflated(room, conflationKey, nextId(), payload, contentType);
    }

    /**
     * As {@link #publish(String, String, byte[], String)}, with a conflation key (1-64 of {@code [A-Za-z0-9._:/-]}):
     * in a namespace the gateways conflate ({@code gateway.conflation.namespaces.<ns>.max-rate}), each subscriber
     * gets at most max-rate messages per second of each key of the room, always the latest of the key, so one fast
     * key does not crowd out the others (a dashboard's metrics, a ticker's symbols). Elsewhere the key changes
     * nothing. Subscribers see it as {@code Message.getConflationKey()}; docs/protocol.md section 14.
     *
     * @throws IllegalArgumentException when the room, the id or the key breaks its syntax
     */
    public CompletableFuture<Ack> publishConflated(String room, String conflationKey, String id, byte[] payload,
                                                   String contentType) {
        Objects.requireNonNull(conflationKey, "conflationKey");
        Names.conflationKeyProblem(conflationKey).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return enqueuePublish(room, id, payload, contentType, null, conflationKey);
    }

    private CompletableFuture<Ack> enqueuePublish(String room, String id, byte[] payload, String contentType,
                                                  String traceparent, String conflationKey) {
        Names.roomProblem(room).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        Names.idProblem(id).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        Objects.requireNonNull(payload, "payload");
        OfflineQueue.Entry entry = new OfflineQueue.Entry(room, id, payload.clone(), contentType, traceparent,
                conflationKey);
        loop.execute(() -> publisher.publish(entry));
        return entry.future;
    }

    /** Subscribes to {@code room} without presence events; see {@link #subscribe(String, boolean, RoomListener)}. */
    public Subscription subscribe(String room, RoomListener listener) {
        return subscribe(room, false, listener);
    }

    /**
     * Subscribes to {@code room}: every message stored from now on reaches {@code listener} exactly once, in
     * order, also across reconnects (resumed from the last delivered position). With {@code presence} the
     * listener also gets the room's presence events, and the client keeps the room's member list
     * ({@link Subscription#members()}, {@link RoomListener#onMembers}). One subscription per room: a second one
     * throws until the first is unsubscribed.
     */
    public Subscription subscribe(String room, boolean presence, RoomListener listener) {
        Names.roomProblem(room).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        Objects.requireNonNull(listener, "listener");
        return subscriptions.add(room, presence, new FileRoomListener(room, listener, fileSettings, loop, settings.clock()));
    }

    /** Sends a file with a fresh file id; see {@link #sendFile(String, String, String, String, byte[], FileProgressListener)}. */
    public FileTransfer sendFile(String room, String name, String contentType, byte[] data, FileProgressListener progress) {
        return sendFile(room, newFileId(), name, contentType, data, progress);
    }

    /**
     * Sends {@code data} into {@code room} as a file (docs/protocol.md section 16): a manifest (name, content type,
     * size, SHA-256), then chunks of at most {@code fileChunkBytes} (and the connection's {@code maxPayloadBytes}),
     * each an acknowledged publish with an id derived from {@code fileId}; {@code progress} hears of every chunk
     * stored. Subscribers get it whole in {@link RoomListener#onFile}, also from history when they resume. Queued
     * while offline and resent across reconnects like any publish; {@link FileTransfer#resume()} continues after a
     * failure. Sending the same bytes again with the same {@code fileId} (e.g. after a restart) stores nothing twice
     * within the router's dedup window (10 minutes by default): only what is missing is added.
     *
     * @throws IllegalArgumentException a bad room or file id, or {@code data} above {@code maxFileBytes}
     */
    public FileTransfer sendFile(String room, String fileId, String name, String contentType, byte[] data,
                                 FileProgressListener progress) {
        Names.roomProblem(room).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return startTransfer(room, null, fileId, name, contentType, data, progress,
                (id, payload, type) -> queued(new OfflineQueue.Entry(room, id, payload, type)));
    }

    /** Sends a file to a user with a fresh file id; see {@link #sendFileToUser(String, String, String, String, byte[], FileProgressListener)}. */
    public FileTransfer sendFileToUser(String userId, String name, String contentType, byte[] data,
                                       FileProgressListener progress) {
        return sendFileToUser(userId, newFileId(), name, contentType, data, progress);
    }

    /**
     * Sends {@code data} to {@code userId} as a file: the manifest and chunks of {@link #sendFile} (same ids, content
     * types and manifest), each a stored direct message ({@link #sendToUser(String, String, byte[], String, boolean)})
     * into the user's inbox, the manifest acknowledged before any chunk is sent, the chunks pipelined and paced as for
     * a room. Every device of the user gets it whole in the {@link RoomListener#onFile} of its inbox subscription
     * ({@link #subscribeInbox}), once, whenever it next connects, within the inbox's retention. Queued while offline,
     * resent across reconnects, resumed with {@link FileTransfer#resume()} or by sending again with the same
     * {@code fileId}, as for a room; {@link FileTransfer#room()} is the user's inbox once the manifest is stored.
     *
     * @throws IllegalArgumentException a user id not of 1-256 characters, a bad file id, or {@code data} above
     *     {@code maxFileBytes}
     */
    public FileTransfer sendFileToUser(String userId, String fileId, String name, String contentType, byte[] data,
                                       FileProgressListener progress) {
        Objects.requireNonNull(userId, "userId");
        checkUserId(userId);
        return startTransfer(null, userId, fileId, name, contentType, data, progress,
                (id, payload, type) -> queued(OfflineQueue.Entry.direct(userId, id, payload, type)));
    }

    /** Loop thread: hands {@code entry} to the publisher; its future completes with the Ack. */
    private CompletableFuture<Ack> queued(OfflineQueue.Entry entry) {
        publisher.publish(entry);
        return entry.future;
    }

    private FileTransfer startTransfer(String room, String userId, String fileId, String name, String contentType,
                                       byte[] data, FileProgressListener progress, FileTransfer.Sink sink) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(progress, "progress");
        if (fileId == null || !FileManifest.validFileId(fileId)) {
            throw new IllegalArgumentException("fileId: " + fileId + " (expected: 1-48 characters of A-Z a-z 0-9 _ -)");
        }
        if (data.length > fileSettings.maxFileBytes()) {
            throw new IllegalArgumentException("data: " + data.length + " bytes (expected: <= maxFileBytes "
                    + fileSettings.maxFileBytes() + ")");
        }
        Connected current = session;
        int chunkBytes = current == null || current.getLimits().getMaxPayloadBytes() <= 0 ? fileSettings.chunkBytes()
                : Math.min(fileSettings.chunkBytes(), current.getLimits().getMaxPayloadBytes());
        byte[] copy = data.clone();
        FileManifest manifest = FileManifest.of(fileId, name, contentType, copy, chunkBytes);
        FileTransfer transfer = new FileTransfer(room, userId, manifest, copy, fileSettings, loop, filePacer, sink, progress);
        loop.execute(transfer::start);
        return transfer;
    }

    private String newFileId() {
        byte[] random = new byte[18];
        new java.security.SecureRandom().nextBytes(random);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /**
     * A {@link FileAssembler} for the application's own runs over messages the client does not assemble, such as
     * pages of {@link #history}: it puts their files together for {@code listener} as a subscription would, with this
     * client's {@code maxFileBytes} and {@code maxFilesInProgress} and without the stall timeout; closing it reports
     * the files still incomplete. Not thread-safe: feed it from one thread at a time; the listener runs there.
     */
    public FileAssembler fileAssembler(FileListener listener) {
        Objects.requireNonNull(listener, "listener");
        return new FileAssembler(listener, fileSettings, null, settings.clock());
    }

    /**
     * Says whether this user is typing in {@code room} (which must be subscribed). {@code true} starts the
     * indicator, renews it while typing goes on (call it again on each keystroke) and stops it after the idle
     * timeout; {@code false} stops it at once.
     */
    public void setTyping(String room, boolean isTyping) {
        if (!subscriptions.subscribed(room)) {
            throw new IllegalStateException("room: " + room + " (expected: subscribed)");
        }
        loop.execute(() -> typing.setTyping(room, isTyping));
    }

    /** One page of a room's stored history (ascending positions); see docs/protocol.md section 10. */
    public CompletableFuture<HistoryPage> history(String room, HistoryDirection direction, long position, int limit) {
        Names.roomProblem(room).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        Objects.requireNonNull(direction, "direction");
        return request(id -> ClientFrame.newBuilder().setHistory(HistoryRequest.newBuilder().setRequestId(id).setRoom(room)
                .setDirection(direction).setPosition(position).setLimit(limit)).build(), ServerFrame::getHistoryPage);
    }

    /** One page of a room's members ordered by user id ({@code afterUser} "" for the first page). */
    public CompletableFuture<PresencePage> presence(String room, String afterUser, int limit) {
        Objects.requireNonNull(afterUser, "afterUser");
        return request(id -> ClientFrame.newBuilder().setPresence(PresenceQuery.newBuilder().setRequestId(id).setRoom(room)
                .setAfterUser(afterUser).setLimit(limit)).build(), ServerFrame::getPresencePage);
    }

    /**
     * Sets this user's status on every device. Remembered and applied again after each reconnect (the server
     * resets the status when the user goes offline).
     */
    public CompletableFuture<Void> setStatus(PresenceStatus status, String text) {
        Objects.requireNonNull(status, "status");
        if (status == PresenceStatus.OFFLINE || status == PresenceStatus.UNRECOGNIZED) {
            throw new IllegalArgumentException("status: " + status + " (expected: ONLINE, AWAY or BUSY)");
        }
        SetStatus wanted = SetStatus.newBuilder().setStatus(status).setText(text == null ? "" : text).build();
        loop.execute(() -> desiredStatus = wanted);
        return request(id -> ClientFrame.newBuilder().setSetStatus(wanted.toBuilder().setRequestId(id)).build(), frame -> null);
    }

    /**
     * Sends a message to every connected device of {@code userId}; not stored, so a user with no connected
     * device gets nothing ({@code Ack.devices == 0}). Needs a connection: offline it fails with UNAVAILABLE.
     */
    public CompletableFuture<Ack> sendToUser(String userId, byte[] payload, String contentType) {
        return sendToUser(userId, nextId(), payload, contentType, false);
    }

    /** Sends a stored direct message with a generated id; see {@link #sendToUser(String, String, byte[], String, boolean)}. */
    public CompletableFuture<Ack> sendToUser(String userId, byte[] payload, String contentType, boolean stored) {
        return sendToUser(userId, nextId(), payload, contentType, stored);
    }

    /**
     * Sends a direct message with the given id (a retry with the same id is acknowledged {@code duplicate} and
     * not delivered or stored twice).
     *
     * <p>Not {@code stored}: as {@link #sendToUser(String, byte[], String)}, at most once, to the devices connected
     * now; it needs a connection (offline: UNAVAILABLE) and waits {@link Builder#requestTimeout} for its answer.
     *
     * <p>{@code stored}: written into the user's inbox, from which each of their devices receives it once, in the
     * order sent, on its next connection ({@link #subscribeInbox}). It is handled like a publish: queued while
     * disconnected (in the offline queue, within its bounds), pipelined, resent with the same id after a reconnect or
     * a retriable error, and the messages to one user go out and are resent in call order, so they are stored in that
     * order. The future completes with the Ack once stored: the inbox ({@code room}), {@code position},
     * {@code epoch}, and {@code duplicate} for a repeat; it fails as a publish does (a non-retriable error, a full
     * offline queue, {@link Builder#publishTimeout} without an ack, the client's close), and with BAD_REQUEST when the
     * gateway does not store direct messages (no {@code inbox} in {@link #session()}).
     *
     * @throws IllegalArgumentException a {@code stored} message with an id that breaks the id syntax
     *     ({@code [A-Za-z0-9._:-]}, 1-64), which its retries need, or a user id not of 1-256 characters
     */
    public CompletableFuture<Ack> sendToUser(String userId, String id, byte[] payload, String contentType, boolean stored) {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(payload, "payload");
        if (!stored) {
            return request(rid -> ClientFrame.newBuilder().setDirect(DirectMessage.newBuilder().setRequestId(rid).setUserId(userId)
                    .setId(id).setPayload(ByteString.copyFrom(payload)).setContentType(contentType == null ? "" : contentType))
                    .build(), ServerFrame::getAck);
        }
        checkUserId(userId);
        Names.idProblem(id).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        return enqueueDirect(userId, id, payload.clone(), contentType);
    }

    /** The gateway's rule for a direct message's target, checked before a stored one is queued. */
    private static void checkUserId(String userId) {
        Names.userIdProblem("userId", userId).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
    }

    private CompletableFuture<Ack> enqueueDirect(String userId, String id, byte[] payload, String contentType) {
        Connected current = session;
        if (current != null && current.getInbox().isEmpty()) {
            return CompletableFuture.failedFuture(Publisher.noInbox());
        }
        OfflineQueue.Entry entry = OfflineQueue.Entry.direct(userId, id, payload, contentType);
        loop.execute(() -> publisher.publish(entry));
        return entry.future;
    }

    /**
     * Subscribes to this user's inbox (the stored direct messages, {@link #sendToUser(String, String, byte[], String,
     * boolean)}) from its oldest retained message: {@code listener} receives each once, in the order stored, then
     * every new one, also across reconnects (resumed like any room). Call once connected ({@link #connect()}
     * completed): the gateway names the inbox in {@link #session()}.
     */
    public Subscription subscribeInbox(RoomListener listener) {
        return subscribeInbox(null, listener);
    }

    /**
     * Subscribes to this user's inbox from {@code from}: the position this device kept (the epoch and
     * {@code position + 1} of the last inbox message it processed, persisted by the application), so that a restarted
     * application receives only what it has not processed; null: from the oldest retained message. Each device
     * keeps its own position: that is its acknowledgement.
     *
     * @throws IllegalStateException before the first connection, or when the gateway does not store direct messages
     */
    public Subscription subscribeInbox(ResumeFrom from, RoomListener listener) {
        Objects.requireNonNull(listener, "listener");
        Connected current = session;
        if (current == null || current.getInbox().isEmpty()) {
            throw new IllegalStateException(current == null ? "inbox: not connected yet (expected: after connect())"
                    : "inbox: this gateway does not store direct messages");
        }
        ResumeFrom start = from != null ? from
                : ResumeFrom.newBuilder().setNextPosition(0).setEpoch(current.getInboxEpoch()).build();
        return subscriptions.add(current.getInbox(), false,
                new FileRoomListener(current.getInbox(), listener, fileSettings, loop, settings.clock()), start);
    }

    /**
     * Closes the connection and fails whatever is pending; the client cannot be used again. Idempotent. Returns
     * once closed, except when called from a listener or callback of this client (then the close follows it).
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                connection.close();
                done.complete(null);
            });
        } catch (RejectedExecutionException e) {
            return; // closed before: its own scheduler is gone
        }
        if (!loop.inLoop()) {
            done.join();
        }
    }

    private String nextId() {
        return idPrefix + "-" + idCounter.incrementAndGet();
    }

    private <T> CompletableFuture<T> request(IntFunction<ClientFrame> frame, Function<ServerFrame, T> answer) {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            if (!connection.connected()) {
                result.completeExceptionally(new SwitchboardException(ErrorCode.UNAVAILABLE, "not connected (state: " + state() + ")", true));
                return;
            }
            AtomicReference<Scheduler.Cancellable> timeout = new AtomicReference<>();
            int requestId = requests.register(PendingRequests.of(reply -> {
                timeout.get().cancel();
                if (reply.hasError()) {
                    result.completeExceptionally(SwitchboardException.of(reply.getError()));
                } else {
                    result.complete(answer.apply(reply));
                }
            }, () -> {
                timeout.get().cancel();
                result.completeExceptionally(new SwitchboardException(ErrorCode.UNAVAILABLE, "connection lost before the answer", true));
            }));
            timeout.set(loop.schedule(() -> {
                requests.forget(requestId);
                result.completeExceptionally(new SwitchboardException(ErrorCode.TIMEOUT, "no answer within " + settings.requestTimeout(), true));
            }, settings.requestTimeout()));
            connection.send(frame.apply(requestId));
        });
        return result;
    }

    private void reportError(SwitchboardException error) {
        for (ErrorListener listener : errorListeners) {
            safely(() -> listener.onError(error));
        }
    }

    private static void safely(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "listener failed", e);
        }
    }

    /** Reactions to the connection's lifecycle and frames; all on the event loop. */
    private final class Events implements ConnectionStateMachine.Handler {
        @Override
        public void onStateChange(StateChange change) {
            for (ConnectionStateListener listener : stateListeners) {
                safely(() -> listener.onStateChange(change));
            }
        }

        @Override
        public void onConnected(Connected connected) {
            session = connected;
            subscriptions.onConnected();
            publisher.onConnected(connected);
            refresher.onConnected();
            if (desiredStatus != null) {
                int requestId = requests.register(PendingRequests.of(reply -> {
                    if (reply.hasError()) {
                        reportError(SwitchboardException.of(reply.getError()));
                    }
                }, () -> { }));
                connection.send(ClientFrame.newBuilder().setSetStatus(desiredStatus.toBuilder().setRequestId(requestId)).build());
            }
        }

        @Override
        public void onFrame(ServerFrame frame) {
            switch (frame.getFrameCase()) {
                case SUBSCRIBED -> {
                    if (frame.getSubscribed().getRequestId() == 0 && frame.getSubscribed().getServerSide()) {
                        subscriptions.onServerSubscribed(frame.getSubscribed());
                    } else {
                        answer(frame.getSubscribed().getRequestId(), frame);
                    }
                }
                case ACK -> answer(frame.getAck().getRequestId(), frame);
                case HISTORY_PAGE -> answer(frame.getHistoryPage().getRequestId(), frame);
                case PRESENCE_PAGE -> answer(frame.getPresencePage().getRequestId(), frame);
                case UNSUBSCRIBED -> {
                    if (frame.getUnsubscribed().getRequestId() == 0 || !requests.answer(frame.getUnsubscribed().getRequestId(), frame)) {
                        subscriptions.onServerUnsubscribed(frame.getUnsubscribed());
                    }
                }
                case ERROR -> {
                    int requestId = frame.getError().getRequestId();
                    if (requestId == 0 || !requests.answer(requestId, frame)) {
                        reportError(SwitchboardException.of(frame.getError()));
                    }
                }
                case MESSAGE -> subscriptions.onMessage(frame.getMessage());
                case EPHEMERAL -> subscriptions.onEphemeral(frame.getEphemeral());
                case PRESENCE -> subscriptions.onPresence(frame.getPresence());
                case USER_MESSAGE -> {
                    for (UserMessageListener listener : userMessageListeners) {
                        safely(() -> listener.onUserMessage(frame.getUserMessage()));
                    }
                }
                case DRAIN -> LOG.log(Level.DEBUG, () -> "gateway draining; reconnect within " + frame.getDrain().getReconnectWithinMs() + " ms");
                default -> LOG.log(Level.DEBUG, () -> "ignored frame " + frame.getFrameCase());
            }
        }

        private void answer(int requestId, ServerFrame frame) {
            if (!requests.answer(requestId, frame)) {
                LOG.log(Level.DEBUG, () -> "answer to unknown request " + requestId + ": " + frame.getFrameCase());
            }
        }

        @Override
        public void onConnectionLost() {
            refresher.onConnectionLost();
            requests.connectionLost();
        }

        @Override
        public void onError(SwitchboardException error) {
            reportError(error);
        }

        @Override
        public void onClosed(SwitchboardException cause, boolean byApplication) {
            refresher.cancel();
            requests.connectionLost();
            publisher.close(cause);
            subscriptions.close(cause);
            if (!byApplication) {
                reportError(cause);
            }
            releaseOwned.run();
        }
    }

    /**
     * Builds a {@link SwitchboardClient}. Required: {@link #url} and {@link #tokenProvider}. Many clients in one
     * JVM (a load generator) should share one {@link #scheduler} and one {@link #httpClient}; otherwise each
     * client creates (and closes) its own single-thread scheduler and HttpClient.
     */
    public static final class Builder {
        private URI url;
        private TokenProvider tokenProvider;
        private InstantSource clock = InstantSource.system();
        private RandomGenerator random;
        private ScheduledExecutorService scheduler;
        private Scheduler testScheduler;
        private HttpClient httpClient;
        private SSLContext sslContext;
        private TransportConnector connector;
        private Duration backoffInitial = Duration.ofMillis(500);
        private Duration backoffMax = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration publishTimeout = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration pingInterval = Duration.ofSeconds(25);
        private Duration httpFallbackCloseWait = SseConnector.DEFAULT_CLOSE_WAIT;
        private int offlineQueueMaxMessages = 1000;
        private long offlineQueueMaxBytes = 8L * 1024 * 1024;
        private int maxInflightPublishes = 64;
        private int dedupCapacity = 10_000;
        private Duration typingRenewInterval = Duration.ofSeconds(3);
        private Duration typingIdleTimeout = Duration.ofSeconds(5);
        private int memberListLimit = 100;
        private String clientName = "switchboard-java/0.1.0";
        private boolean batching = true;
        private boolean httpFallback;
        private ServerSubscriptionListener serverSubscriptions;
        private long maxFileBytes = FileSettings.DEFAULTS.maxFileBytes();
        private int fileChunkBytes = FileSettings.DEFAULTS.chunkBytes();
        private int fileWindow = FileSettings.DEFAULTS.window();
        private long fileBytesPerSecond = FileSettings.DEFAULTS.bytesPerSecond();
        private Duration fileStallTimeout = FileSettings.DEFAULTS.stallTimeout();
        private int maxFilesInProgress = FileSettings.DEFAULTS.maxFilesInProgress();

        private Builder() {
        }

        /** The largest file {@code sendFile} sends and subscriptions accept (default 50 MiB, 52428800 bytes). */
        public Builder maxFileBytes(long max) {
            this.maxFileBytes = max;
            return this;
        }

        /** Bytes per file chunk (default 48 KiB; never more than the connection's {@code maxPayloadBytes}). */
        public Builder fileChunkBytes(int bytes) {
            this.fileChunkBytes = bytes;
            return this;
        }

        /** Chunks of one file awaiting their ack at once (default 16). */
        public Builder fileWindow(int chunks) {
            this.fileWindow = chunks;
            return this;
        }

        /**
         * Chunk bytes a transfer sends per second at most (default 4 MiB/s): keep it below the gateway's
         * {@code gateway.limits.bytes-per-second} (8 MiB/s by default) with room for other traffic.
         */
        public Builder fileBytesPerSecond(long bytesPerSecond) {
            this.fileBytesPerSecond = bytesPerSecond;
            return this;
        }

        /** A file being received with no new chunk for this long is reported incomplete (default PT2M). */
        public Builder fileStallTimeout(Duration timeout) {
            this.fileStallTimeout = timeout;
            return this;
        }

        /** Files received at once per room (default 4): memory is bounded by this times {@link #maxFileBytes}. */
        public Builder maxFilesInProgress(int max) {
            this.maxFilesInProgress = max;
            return this;
        }

        /**
         * What to do when a backend subscribes this user to a room (SubscribeUser): return the room's listener.
         * Default: none, the subscription is held but its events are dropped.
         */
        public Builder serverSubscriptions(ServerSubscriptionListener listener) {
            this.serverSubscriptions = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The gateway's WebSocket endpoint, e.g. {@code ws://localhost:8080/ws} (required). */
        public Builder url(URI url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        public Builder url(String url) {
            return url(URI.create(Objects.requireNonNull(url, "url")));
        }

        /** Where tokens come from (required). */
        public Builder tokenProvider(TokenProvider tokenProvider) {
            this.tokenProvider = Objects.requireNonNull(tokenProvider, "tokenProvider");
            return this;
        }

        /** The clock for token lifetimes, typing expiry and keepalive (default: the system clock). */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The scheduler all work runs on; shared, it is not shut down by the client (default: one per client). */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** The random generator for backoff jitter; used on the client's event loop only (default: a fresh one). */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** The HttpClient for WebSockets; shared, it is not closed by the client (default: one per client). */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * The TLS context of {@code wss://} connections, e.g. {@link TrustedCertificates#fromPem} for a gateway whose
         * certificate comes from a private CA (default: the JDK's, which trusts the public CAs). For the client's own
         * HttpClient only: with a shared {@link #httpClient}, build that one with the context instead.
         */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /** The first reconnect delay cap (default PT0.5S); it doubles per failed attempt up to {@link #backoffMax}. */
        public Builder backoffInitial(Duration initial) {
            this.backoffInitial = initial;
            return this;
        }

        /** The largest reconnect delay cap (default PT30S). */
        public Builder backoffMax(Duration max) {
            this.backoffMax = max;
            return this;
        }

        /** How long the WebSocket handshake plus Connected may take (default PT10S). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** How long a publish or stored direct message may wait for its Ack, offline time included (default PT30S). */
        public Builder publishTimeout(Duration timeout) {
            this.publishTimeout = timeout;
            return this;
        }

        /** How long history, presence, status and at-most-once direct-message requests wait for an answer (default PT10S). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Ping when nothing arrived for this long; drop the connection after twice as long (default PT25S). */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = interval;
            return this;
        }

        /** Unacknowledged publishes and stored direct messages kept (sent or waiting to be), at most (default 1000). */
        public Builder offlineQueueMaxMessages(int max) {
            this.offlineQueueMaxMessages = max;
            return this;
        }

        /** Payload bytes of unacknowledged publishes and stored direct messages kept, at most (default 8 MiB). */
        public Builder offlineQueueMaxBytes(long max) {
            this.offlineQueueMaxBytes = max;
            return this;
        }

        /** Publishes and stored direct messages sent and awaiting their Ack at once (default 64, the gateway's default limit). */
        public Builder maxInflightPublishes(int max) {
            this.maxInflightPublishes = max;
            return this;
        }

        /** Message ids remembered for dedup (default 10000). */
        public Builder dedupCapacity(int capacity) {
            this.dedupCapacity = capacity;
            return this;
        }

        /** How often a typing indicator is renewed while typing (default PT3S, half the server's default ttl). */
        public Builder typingRenewInterval(Duration interval) {
            this.typingRenewInterval = interval;
            return this;
        }

        /** Typing stops by itself after this long without {@code setTyping(room, true)} (default PT5S). */
        public Builder typingIdleTimeout(Duration timeout) {
            this.typingIdleTimeout = timeout;
            return this;
        }

        /**
         * Members a room's {@link MemberList} holds at most, 1-1000 (default 100); a room with more is listed
         * incompletely, with exact counts (its events are summaries then anyway: presence.large-room-threshold).
         */
        public Builder memberListLimit(int limit) {
            this.memberListLimit = limit;
            return this;
        }

        /** Sent in Connect.client for the server's logs and metrics (default "switchboard-java/0.1.0"). */
        public Builder clientName(String name) {
            this.clientName = Objects.requireNonNull(name, "clientName");
            return this;
        }

        /**
         * Ask the gateway to send frames that wait together as one {@code Batch} message (default true): fewer
         * WebSocket messages under bursts; the application sees the same frames in the same order. A gateway that
         * does not batch is asked for plain v1 as well, so this works against every v1 gateway.
         */
        public Builder batching(boolean batching) {
            this.batching = batching;
            return this;
        }

        /**
         * Reach the gateway over its HTTP fallback instead of a WebSocket (default false): a Server-Sent Events stream
         * from {@code GET /sse} on the {@link #url}'s host and port ({@code http} for {@code ws}, {@code https} for
         * {@code wss}) and a POST per batch of client frames, in the JSON mapping (docs/protocol.md section 15). For
         * networks whose proxies refuse WebSocket upgrades; everything else (resume, acks, drain, reconnects) works
         * the same. {@link #batching} does not apply.
         */
        public Builder httpFallback(boolean httpFallback) {
            this.httpFallback = httpFallback;
            return this;
        }

        /**
         * On the {@link #httpFallback}, after a POST answered 400 or 413, how long to wait for the stream's close event
         * (default PT5S). The gateway sends one right after such an answer (its code says whether to reconnect); a
         * proxy in front of it that answered in its stead (nginx's {@code client_max_body_size}, HAProxy) sends none.
         * Without one in time the stream is dropped (1006): the client reconnects and resends at once instead of when
         * its {@link #pingInterval} detection gives up on the stream.
         */
        public Builder httpFallbackCloseWait(Duration wait) {
            this.httpFallbackCloseWait = wait;
            return this;
        }

        /** Tests: a manual scheduler (time moves only when the test says). */
        Builder scheduler(Scheduler scheduler) {
            this.testScheduler = scheduler;
            return this;
        }

        /** Tests: a fake transport. */
        Builder transportConnector(TransportConnector connector) {
            this.connector = connector;
            return this;
        }

        /** Validates the settings and builds an unconnected client (call {@link SwitchboardClient#connect()}). */
        public SwitchboardClient build() {
            ClientSettings settings = new ClientSettings(url, tokenProvider, clock, random != null ? random : new SplittableRandom(),
                    backoffInitial, backoffMax, connectTimeout, publishTimeout, requestTimeout, pingInterval, httpFallbackCloseWait,
                    offlineQueueMaxMessages, offlineQueueMaxBytes, maxInflightPublishes, dedupCapacity, typingRenewInterval,
                    typingIdleTimeout, memberListLimit, clientName);
            Runnable release = () -> { };
            Scheduler base = testScheduler;
            if (base == null) {
                ScheduledExecutorService executor = scheduler;
                if (executor == null) {
                    ScheduledThreadPoolExecutor owned = new ScheduledThreadPoolExecutor(1, task -> {
                        Thread thread = new Thread(task, "switchboard-client");
                        thread.setDaemon(true);
                        return thread;
                    });
                    owned.setRemoveOnCancelPolicy(true);
                    executor = owned;
                    release = chain(release, owned::shutdown);
                }
                base = Scheduler.of(executor);
            }
            if (sslContext != null && httpClient != null) {
                throw new IllegalArgumentException("sslContext: set (expected: unset with a shared httpClient; build"
                        + " that HttpClient with the SSLContext)");
            }
            TransportConnector transport = connector;
            if (transport == null) {
                HttpClient http = httpClient;
                if (http == null) {
                    HttpClient.Builder ownedBuilder = HttpClient.newBuilder().connectTimeout(connectTimeout);
                    if (sslContext != null) {
                        ownedBuilder.sslContext(sslContext);
                    }
                    HttpClient owned = ownedBuilder.build();
                    http = owned;
                    release = chain(release, owned::shutdown);
                }
                transport = httpFallback ? new SseConnector(http, requestTimeout, base, settings.httpFallbackCloseWait())
                        : new JdkWebSocketConnector(http, connectTimeout, batching);
            }
            FileSettings files = new FileSettings(maxFileBytes, fileChunkBytes, fileWindow, fileBytesPerSecond, fileStallTimeout,
                    maxFilesInProgress);
            return new SwitchboardClient(settings, files, base, transport, release, serverSubscriptions);
        }

        private static Runnable chain(Runnable first, Runnable second) {
            return () -> {
                first.run();
                second.run();
            };
        }
    }

    @Override
    public String toString() {
        return "SwitchboardClient[" + settings.uri() + ", " + state() + "]";
    }
}
