package io.switchboard.history;

import static io.switchboard.history.HistoryKeys.MAX_READ_MESSAGES;
import static io.switchboard.history.HistoryKeys.MAX_READ_WAIT;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import io.switchboard.history.ingest.IngestSignal;
import io.switchboard.history.store.MessageStore;
import io.switchboard.history.store.Page;
import io.switchboard.history.store.PartitionProgress;
import io.switchboard.history.store.RoomInfo;
import io.switchboard.history.store.StoredMessage;
import io.switchboard.proto.Names;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.proto.internal.v1.ReadDirection;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import io.switchboard.roomlog.RoomLogTopic;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * {@code HistoryService.Read}: validates the request, checks the room's epoch, waits for ingestion to reach
 * {@code until}, checks retention and reads one page (and, when asked, counts the whole range). Every failure is a
 * {@link Status} with a description, in the order of history.proto: INVALID_ARGUMENT, FAILED_PRECONDITION,
 * UNAVAILABLE (not caught up), OUT_OF_RANGE, NOT_FOUND. Thread-safe: each call reads the store; a call waiting for
 * {@code until} blocks its (virtual) thread on {@link IngestSignal}.
 */
final class ReadService extends HistoryServiceGrpc.HistoryServiceImplBase {
    static final int DEFAULT_LIMIT = 100;

    private final MessageStore store;
    private final RoomLogTopic topic;
    private final IngestSignal signal;
    private final HistoryConfig config;
    private final HistoryMetrics metrics;
    private volatile boolean open = true;

    ReadService(MessageStore store, RoomLogTopic topic, IngestSignal signal, HistoryConfig config,
                HistoryMetrics metrics) {
        this.store = store;
        this.topic = topic;
        this.signal = signal;
        this.config = config;
        this.metrics = metrics;
    }

    /** From now on every read answers UNAVAILABLE: the store is about to close. */
    void closeStore() {
        open = false;
    }

    @Override
    public void read(ReadRequest request, StreamObserver<ReadResponse> responses) {
        long start = System.nanoTime();
        Status.Code code = Status.Code.OK;
        try {
            ReadResponse response = answer(request);
            responses.onNext(response);
            responses.onCompleted();
        } catch (StatusException e) {
            code = e.getStatus().getCode();
            responses.onError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = Status.Code.UNAVAILABLE;
            responses.onError(Status.UNAVAILABLE.withDescription("history service stopping").asException());
        } catch (IllegalStateException e) {
            // The store closed under the call (shutdown).
            code = Status.Code.UNAVAILABLE;
            responses.onError(Status.UNAVAILABLE.withDescription("history store closed").withCause(e).asException());
        } finally {
            metrics.read(code, System.nanoTime() - start);
        }
    }

    private ReadResponse answer(ReadRequest request) throws StatusException, InterruptedException {
        if (!open) {
            throw status(Status.UNAVAILABLE, "history store not open");
        }
        String room = request.getRoom();
        Optional<String> problem = Names.roomProblem(room);
        if (problem.isPresent()) {
            throw status(Status.INVALID_ARGUMENT, problem.get());
        }
        int limit = request.getLimit() == 0 ? DEFAULT_LIMIT : request.getLimit();
        if (request.getLimit() < 0 || limit > config.get(MAX_READ_MESSAGES)) {
            throw status(Status.INVALID_ARGUMENT, "limit: " + Integer.toUnsignedString(request.getLimit())
                    + " (expected: 1-" + config.get(MAX_READ_MESSAGES) + ", 0 = " + DEFAULT_LIMIT + ")");
        }
        int partition = topic.partitionOf(room);
        String epoch = topic.epoch(partition);
        if (!request.getEpoch().isEmpty() && !request.getEpoch().equals(epoch)) {
            throw status(Status.FAILED_PRECONDITION, "epoch: '" + request.getEpoch() + "' (expected: " + epoch
                    + "; the topic was recreated, positions of the old epoch do not apply)");
        }
        boolean fromStart = request.getFromStart() && request.getDirection() == ReadDirection.READ_AFTER;
        // "Before the first message" is position -1 inside: the store's after() and the range checks accept it.
        long position = fromStart ? -1 : request.getPosition();
        if (!fromStart && position < 0) {
            throw status(Status.INVALID_ARGUMENT, "position: " + Long.toUnsignedString(position)
                    + " (expected: < 2^63)");
        }
        OptionalLong until = OptionalLong.empty();
        switch (request.getDirection()) {
            case READ_LATEST, READ_BEFORE -> { }
            case READ_AFTER -> {
                if (request.getUntil() < 0) {
                    throw status(Status.INVALID_ARGUMENT, "until: " + Long.toUnsignedString(request.getUntil())
                            + " (expected: < 2^63)");
                }
                if (request.getUntil() > 0) {
                    until = OptionalLong.of(request.getUntil());
                    awaitIngested(partition, request.getUntil());
                }
            }
            default -> throw status(Status.INVALID_ARGUMENT, "direction: " + request.getDirectionValue()
                    + " (expected: READ_LATEST, READ_BEFORE or READ_AFTER)");
        }
        Optional<RoomInfo> info = store.room(room);
        long oldest = info.flatMap(i -> i.oldest().isPresent() ? Optional.of(i.oldest().getAsLong())
                : Optional.<Long>empty()).orElse(-1L);
        if (request.getDirection() == ReadDirection.READ_AFTER) {
            long deletedUpTo = info.map(i -> i.deletedUpTo().orElse(-1)).orElse(-1L);
            PartitionProgress progress = store.progress().get(partition);
            boolean beforeIngestStart = progress != null && position + 1 < progress.ingestStart();
            if (position < deletedUpTo || beforeIngestStart) {
                throw status(Status.OUT_OF_RANGE, "position " + position + " of room " + room
                        + " is older than the retained history: messages after it are gone; oldest retained"
                        + " position: " + (oldest < 0 ? "none" : Long.toString(oldest)));
            }
        }
        if (oldest < 0) {
            throw status(Status.NOT_FOUND, "room " + room + " has no stored message");
        }
        Page page = switch (request.getDirection()) {
            case READ_BEFORE -> store.before(room, position, limit);
            case READ_AFTER -> store.after(room, position, until, limit);
            default -> store.latest(room, limit);
        };
        ReadResponse.Builder response = ReadResponse.newBuilder()
                .setEpoch(epoch)
                .setHasMore(page.hasMore())
                .setOldestPosition(oldest);
        for (StoredMessage m : page.messages()) {
            response.addMessages(m.envelope());
        }
        if (request.getCount() && request.getDirection() == ReadDirection.READ_AFTER) {
            // A range that fits in the page needs no second scan.
            response.setCount(page.hasMore() ? store.count(room, position, until) : page.messages().size());
        }
        return response.build();
    }

    /** Waits until the room's partition is ingested below {@code until}, within the call's deadline. */
    private void awaitIngested(int partition, long until) throws StatusException, InterruptedException {
        Context context = Context.current();
        long deadline = System.nanoTime() + config.get(MAX_READ_WAIT).toNanos();
        Deadline callDeadline = context.getDeadline();
        if (callDeadline != null) {
            // Give up at half the time left, so that the caller gets "not caught up" (UNAVAILABLE) rather than its
            // own DEADLINE_EXCEEDED, and its channel's retry policy has the other half to ask another replica.
            long left = callDeadline.timeRemaining(TimeUnit.NANOSECONDS);
            deadline = Math.min(deadline, System.nanoTime() + left / 2);
        }
        boolean reached = signal.await(() -> {
            PartitionProgress p = store.progress().get(partition);
            return p != null && p.nextOffset() >= until;
        }, context::isCancelled, deadline);
        if (!reached) {
            if (context.isCancelled()) {
                throw status(Status.CANCELLED, "call cancelled while waiting for ingestion");
            }
            PartitionProgress p = store.progress().get(partition);
            throw status(Status.UNAVAILABLE, "not caught up: partition " + partition + " ingested below "
                    + (p == null ? 0 : p.nextOffset()) + ", until " + until + " (retry)");
        }
    }

    private static StatusException status(Status status, String description) {
        return status.withDescription(description).asException();
    }
}
