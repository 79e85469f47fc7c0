package io.switchboard.gateway.warmup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.switchboard.gateway.fanout.FanoutMessage;
import io.switchboard.gateway.fanout.SubscriptionRegistry;
import io.switchboard.gateway.session.LoopbackSubscriber;
import io.switchboard.gateway.session.PublishHandler;
import io.switchboard.gateway.ws.ProtocolViolation;
import io.switchboard.gateway.ws.Subprotocol;
import io.switchboard.proto.PublishLanes;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.internal.v1.Sender;

/**
 * Drives the gateway's publish and delivery path before it reports ready, so that the JIT compiles it on messages
 * of its own rather than on the first minute of clients' (docs/performance.md, "Round 7"). Each message is a
 * client's Publish frame, alternately in JSON and in binary, decoded by that subprotocol's codec and handed to the
 * {@link PublishHandler} as a session would; the router stores it in Kafka, the history service ingests it, and the
 * fan-out delivers it to a {@link LoopbackSubscriber} per subprotocol, which encodes and writes it to no socket, as
 * it does the Ack. The messages go into the reserved probe rooms, up to {@value #IN_FLIGHT} in flight.
 *
 * <p>The JIT's work is the JVM's, so a warm-up in a JVM where one already ran (to its count or its deadline, without
 * a failed publish: the launcher's second gateway) publishes only {@value #REPEAT_MESSAGES} messages, enough to open
 * this gateway's own channels and fetches.
 *
 * <p>Bounded: publishing stops at the configured count, at the first publish that fails, or at the deadline, and
 * {@link #run} returns by the deadline in every case. Not thread-safe: one {@link #run} per instance.
 */
public final class PathWarmUp {
    private static final Logger LOG = Logger.getLogger(PathWarmUp.class.getName());
    /** Publishes in flight at once: enough to keep the path busy without a queue in front of it. */
    static final int IN_FLIGHT = 64;
    /** The sender user id of every warm-up message (client user ids come from tokens, never this). */
    static final String SENDER = "switchboard-warm-up";
    /**
     * Messages of a warm-up in a JVM where one already ran without a failed publish (the launcher's second gateway,
     * a gateway restarted in the same process): the code is compiled, only the gateway's own channels and fetches
     * are new.
     */
    static final int REPEAT_MESSAGES = 100;
    // The JIT's work is the JVM's: once one warm-up ran the path, later ones need not compile anything.
    private static final AtomicBoolean WARMED_IN_THIS_JVM = new AtomicBoolean();
    private static final ByteString PAYLOAD = ByteString.copyFromUtf8(
            "{\"warm-up\":true,\"text\":\"the gateway compiles its path before clients\"}");
    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final Subprotocol[] ENCODINGS = {Subprotocol.JSON, Subprotocol.PROTO};

    /** How much warm-up, and for how long at most. */
    public record Settings(int messages, Duration maxDuration) {
        public Settings {
            Objects.requireNonNull(maxDuration, "maxDuration");
        }
    }

    /**
     * What one warm-up did.
     *
     * @param planned    messages it set out to publish
     * @param published  messages acknowledged by a router
     * @param delivered  of those, deliveries that came back to the loopback subscribers (one per subprotocol each)
     * @param took       from start to the last delivery, or to the deadline
     * @param failure    why it stopped early, when it did (a failed publish, the deadline)
     * @param deadline   whether it was the deadline that stopped it (nothing failed: the machine was slow)
     */
    public record Result(int planned, int published, long delivered, Duration took, Optional<String> failure,
                         boolean deadline) {
        public boolean complete() {
            return failure.isEmpty();
        }
    }

    private final String gatewayId;
    private final List<String> rooms;
    private final PublishHandler publisher;
    private final SubscriptionRegistry subscriptions;
    private final BiFunction<Subprotocol, Predicate<FanoutMessage>, LoopbackSubscriber> loopbacks;
    private final Settings settings;
    private final String idPrefix = "warm-up-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())
            + "-";
    private final AtomicBoolean publishFailed = new AtomicBoolean();
    // Set when the deadline stopped it before anything failed.
    private final AtomicBoolean deadlineReached = new AtomicBoolean();

    /**
     * @param rooms     the rooms to publish into, in turn (the probe rooms: one per partition)
     * @param loopbacks opens the loopback subscriber of a subprotocol, counting the deliveries the predicate accepts
     */
    public PathWarmUp(String gatewayId, List<String> rooms, PublishHandler publisher,
                      SubscriptionRegistry subscriptions,
                      BiFunction<Subprotocol, Predicate<FanoutMessage>, LoopbackSubscriber> loopbacks,
                      Settings settings) {
        if (rooms.isEmpty()) {
            throw new IllegalArgumentException("rooms: [] (expected: at least one)");
        }
        this.gatewayId = Objects.requireNonNull(gatewayId, "gatewayId");
        this.rooms = List.copyOf(rooms);
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.subscriptions = Objects.requireNonNull(subscriptions, "subscriptions");
        this.loopbacks = Objects.requireNonNull(loopbacks, "loopbacks");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Publishes the messages and waits for their deliveries, until done or the deadline; never throws (a failure
     * is in the result). The loopback subscribers are unsubscribed and stopped before it returns.
     */
    public Result run() {
        long start = System.nanoTime();
        long deadline = start + settings.maxDuration().toNanos();
        int planned = WARMED_IN_THIS_JVM.get() ? Math.min(REPEAT_MESSAGES, settings.messages())
                : settings.messages();
        Predicate<FanoutMessage> own = m -> m.frame().getMessage().getId().startsWith(idPrefix);
        List<LoopbackSubscriber> subscribers = new ArrayList<>();
        AtomicInteger acked = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        try {
            for (Subprotocol encoding : ENCODINGS) {
                LoopbackSubscriber s = loopbacks.apply(encoding, own);
                subscribers.add(s);
                rooms.forEach(room -> subscriptions.subscribe(room, s));
            }
            publishAll(planned, deadline, subscribers, acked, failure);
            awaitDeliveries(deadline, subscribers, acked.get(), failure);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, "interrupted");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "warm-up of " + gatewayId + " failed", e);
            failure.compareAndSet(null, e.toString());
        } finally {
            for (LoopbackSubscriber s : subscribers) {
                rooms.forEach(room -> subscriptions.unsubscribe(room, s));
                s.close();
            }
        }
        long delivered = subscribers.stream().mapToLong(LoopbackSubscriber::delivered).sum();
        Result result = new Result(planned, acked.get(), delivered, Duration.ofNanos(System.nanoTime() - start),
                Optional.ofNullable(failure.get()), deadlineReached.get() && !publishFailed.get());
        // Stopped by the deadline, it still ran the path as long as it was allowed to: the JIT has that work.
        if (!publishFailed.get() && result.published() > 0) {
            WARMED_IN_THIS_JVM.set(true);
        }
        return result;
    }

    private void publishAll(int planned, long deadline, List<LoopbackSubscriber> subscribers, AtomicInteger acked,
                            AtomicReference<String> failure) throws InterruptedException {
        Semaphore window = new Semaphore(IN_FLIGHT);
        PublishLanes lanes = new PublishLanes(SENDER + "-" + gatewayId);
        Sender sender = Sender.newBuilder().setUserId(SENDER).setSessionId(idPrefix + "session")
                .setGatewayId(gatewayId).build();
        for (int i = 0; i < planned && failure.get() == null; i++) {
            if (!window.tryAcquire(remaining(deadline), TimeUnit.NANOSECONDS)) {
                stoppedByDeadline(failure);
                return;
            }
            int encoding = i % ENCODINGS.length;
            Publish publish = decoded(i, ENCODINGS[encoding]);
            LoopbackSubscriber publisherSide = subscribers.get(encoding);
            publisher.publish(publish, sender, lanes).whenComplete((answer, error) -> {
                try {
                    if (error == null && answer.hasAck()) {
                        acked.incrementAndGet();
                        publisherSide.reply(answer);
                    } else {
                        publishFailed.set(true);
                        failure.compareAndSet(null, "publish failed: " + (error != null ? error
                                : answer.getError().getCode() + " " + answer.getError().getMessage()));
                    }
                } finally {
                    window.release();
                }
            });
        }
        // The last answers: every permit back.
        if (!window.tryAcquire(IN_FLIGHT, remaining(deadline), TimeUnit.NANOSECONDS)) {
            stoppedByDeadline(failure);
        }
    }

    private void stoppedByDeadline(AtomicReference<String> failure) {
        if (failure.compareAndSet(null, "not done within " + settings.maxDuration())) {
            deadlineReached.set(true);
        }
    }

    /** Message {@code i} as a client would send it in {@code encoding}, through that subprotocol's decoder. */
    private Publish decoded(int i, Subprotocol encoding) {
        ClientFrame frame = ClientFrame.newBuilder().setPublish(Publish.newBuilder()
                .setRequestId(i + 1)
                .setRoom(rooms.get(i % rooms.size()))
                .setId(idPrefix + i)
                .setPayload(PAYLOAD)
                .setContentType("application/json")
                .setAck(true)).build();
        try {
            ClientFrame read = encoding == Subprotocol.JSON ? encoding.codec().decode(JSON.print(frame))
                    : encoding.codec().decode(frame.toByteArray());
            return read.getPublish();
        } catch (ProtocolViolation | InvalidProtocolBufferException e) {
            throw new IllegalStateException("warm-up frame not decoded: " + e.getMessage(), e);
        }
    }

    /** Waits until each loopback subscriber has every acknowledged message, or the deadline. */
    private void awaitDeliveries(long deadline, List<LoopbackSubscriber> subscribers, int acked,
                                 AtomicReference<String> failure) throws InterruptedException {
        while (subscribers.stream().anyMatch(s -> s.delivered() < acked)) {
            if (remaining(deadline) == 0) {
                if (failure.compareAndSet(null, "deliveries not back within " + settings.maxDuration())) {
                    deadlineReached.set(true);
                }
                return;
            }
            // A poll, not a latch: the fan-out thread must not pay for the warm-up's bookkeeping.
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }
}
