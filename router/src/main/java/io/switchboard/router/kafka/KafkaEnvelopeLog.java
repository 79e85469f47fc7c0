package io.switchboard.router.kafka;

import static io.switchboard.service.telemetry.SpanAttributes.DESTINATION;
import static io.switchboard.service.telemetry.SpanAttributes.MESSAGING_SYSTEM;
import static io.switchboard.service.telemetry.SpanAttributes.OFFSET;
import static io.switchboard.service.telemetry.SpanAttributes.OPERATION;
import static io.switchboard.service.telemetry.SpanAttributes.PARTITION;
import static io.switchboard.service.telemetry.SpanAttributes.ROOM;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.router.EnvelopeLog;
import io.switchboard.router.EventLog;
import io.switchboard.roomlog.LocalRoomFeed;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.roomlog.RecordTraceContext;
import io.switchboard.roomlog.RoomRecords;
import io.switchboard.service.telemetry.Tracing;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * The room log on Kafka: one record per envelope, in the layout of {@link RoomRecords} (key = room, value = the
 * serialized envelope, timestamp = the router's receive time, headers = the idempotency key). The producer must be
 * idempotent with acks=all (the caller's properties say so; {@link #start} does not second-guess them) so that a
 * room's records keep their send order across retries. With tracing on, each append is a {@code send <topic>} span, a child of the span current on
 * the calling thread (the router's {@code route}), whose context goes into the record's headers ({@link
 * RecordTraceContext}) for the gateways to continue. With a {@link LocalRoomFeed} (the single-process platform),
 * each stored record is handed to the process's gateways before its future completes. Futures complete on the
 * producer's I/O thread. Thread-safe (KafkaProducer is).
 */
public final class KafkaEnvelopeLog implements EnvelopeLog {
    private final Producer<byte[], byte[]> producer;
    /** Its epoch strings are built once: every answer and every dedup entry refers to one. */
    private final RoomLogTopic topic;
    private final Tracing tracing;
    private final LocalRoomFeed feed;

    KafkaEnvelopeLog(Producer<byte[], byte[]> producer, RoomLogTopic topic, Tracing tracing, LocalRoomFeed feed) {
        this.producer = producer;
        this.topic = topic;
        this.tracing = tracing;
        this.feed = feed;
    }

    /**
     * Creates the producer and waits (up to {@code warmUp}) until it knows the topic's partitions, so that
     * no publish later blocks on a first metadata fetch.
     *
     * @throws IllegalStateException when the topic's metadata did not arrive in time
     */
    public static KafkaEnvelopeLog start(Properties producerProperties, RoomLogTopic topic, Duration warmUp) {
        return start(producerProperties, topic, List.of(), warmUp);
    }

    /**
     * As {@link #start(Properties, RoomLogTopic, Duration)}, and also waits for the metadata of {@code alsoWarm}
     * (the topics {@link #events} writes to).
     */
    public static KafkaEnvelopeLog start(Properties producerProperties, RoomLogTopic topic, List<String> alsoWarm,
                                         Duration warmUp) {
        return start(producerProperties, topic, alsoWarm, warmUp, Tracing.off(), null);
    }

    /**
     * As {@link #start(Properties, RoomLogTopic, List, Duration)}, each append traced with {@code tracing} and,
     * unless {@code feed} is null, each stored record handed to it.
     */
    public static KafkaEnvelopeLog start(Properties producerProperties, RoomLogTopic topic, List<String> alsoWarm,
                                         Duration warmUp, Tracing tracing, LocalRoomFeed feed) {
        Properties props = new Properties();
        props.putAll(producerProperties);
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        long deadline = System.nanoTime() + warmUp.toNanos();
        List<String> topics = new ArrayList<>();
        topics.add(topic.name());
        topics.addAll(alsoWarm);
        int warmed = 0;
        while (true) {
            try {
                for (; warmed < topics.size(); warmed++) {
                    producer.partitionsFor(topics.get(warmed));
                }
                return new KafkaEnvelopeLog(producer, topic, tracing, feed);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (System.nanoTime() >= deadline) {
                    producer.close(Duration.ZERO);
                    throw new IllegalStateException("no metadata for topic " + topics.get(warmed) + " within " + warmUp,
                            e);
                }
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                throw e;
            }
        }
    }

    @Override
    public CompletableFuture<Stored> append(String room, Envelope envelope, Instant timestamp) {
        CompletableFuture<Stored> stored = new CompletableFuture<>();
        ProducerRecord<byte[], byte[]> record = RoomRecords.record(topic.name(), room, envelope, timestamp);
        Span send = tracing.enabled() ? startSend(record) : null;
        // send() reports its own failures (including a metadata timeout) through the callback.
        producer.send(record, (metadata, failure) -> {
            if (send != null) {
                endSend(send, metadata, failure);
            }
            if (failure != null) {
                stored.completeExceptionally(failure);
            } else {
                if (feed != null) {
                    feed.stored(room, record, metadata);
                }
                stored.complete(storedAt(metadata));
            }
        });
        return stored;
    }

    /** The send's span, its context written into the record's headers. */
    private Span startSend(ProducerRecord<byte[], byte[]> record) {
        Span span = tracing.tracer().spanBuilder("send " + record.topic())
                .setParent(Context.current())
                .setSpanKind(SpanKind.PRODUCER)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(OPERATION, "send")
                .setAttribute(DESTINATION, record.topic())
                .setAttribute(ROOM, RoomRecords.room(record.key()))
                .startSpan();
        tracing.inject(Context.current().with(span), record.headers(), RecordTraceContext.INSTANCE);
        return span;
    }

    private static void endSend(Span span, RecordMetadata metadata, Exception failure) {
        if (failure != null) {
            span.recordException(failure);
            span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        } else {
            span.setAttribute(PARTITION, String.valueOf(metadata.partition()));
            span.setAttribute(OFFSET, metadata.offset());
        }
        span.end();
    }

    private Stored storedAt(RecordMetadata metadata) {
        return new Stored(topic.epoch(metadata.partition()), metadata.offset(),
                Instant.ofEpochMilli(metadata.timestamp()));
    }

    /**
     * The ephemeral and control records, written with this log's producer (so they share its connections,
     * buffer and delivery settings). The returned log is closed by closing this one.
     */
    public EventLog events(String ephemeralTopic, String controlTopic) {
        return new KafkaEventLog(producer, ephemeralTopic, controlTopic);
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    /** The topic this log appends to. */
    public RoomLogTopic topic() {
        return topic;
    }

    @Override
    public String toString() {
        return "KafkaEnvelopeLog{topic=" + topic.name() + ", topicId=" + topic.topicId() + "}";
    }
}
