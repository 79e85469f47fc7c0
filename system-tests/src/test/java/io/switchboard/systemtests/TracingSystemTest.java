package io.switchboard.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static io.switchboard.service.telemetry.SpanAttributes.MESSAGE_ID;
import static io.switchboard.service.telemetry.SpanAttributes.ROOM;
import static io.switchboard.service.telemetry.SpanAttributes.SUBSCRIBERS;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.switchboard.launcher.LocalCluster;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tracing end to end on the in-process cluster (one router, two gateways), every tier's spans in the SDK's
 * in-memory exporter: one publish is one trace of connected spans, the publishing gateway's {@code publish}, the
 * router's {@code route} and {@code send}, and one {@code deliver} on each gateway with a subscriber of the room,
 * each the child of the one before; and a client's {@code traceparent}, or a backend's in the public API call's
 * metadata, is continued, not replaced. Asserts the
 * structure (trace ids, parent links, kinds, where each span was made), never timings.
 */
class TracingSystemTest {
    private static final AttributeKey<String> INSTANCE = AttributeKey.stringKey("service.instance.id");
    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = SystemCluster.builder(false).spanExporter(SPANS).build().start();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        SPANS.shutdown();
    }

    @Test
    void onePublishIsOneTraceAcrossGatewayRouterAndBothDeliveringGateways() {
        String room = "trace:one";
        try (Peer alice = peer(0, "alice", room); Peer bob = peer(1, "bob", room); Peer carol = peer(0, "carol", room)) {
            bob.subscribe(room, false);
            carol.subscribe(room, false);
            publishAcked(alice, room, "m-trace-1", "");
            awaitMessage(bob, "m-trace-1");
            awaitMessage(carol, "m-trace-1");

            Trace trace = awaitTrace("m-trace-1", room, 2);
            assertThat(trace.publish.getParentSpanContext().isValid()).as("started at the gateway").isFalse();
            assertConnected(trace);
        }
    }

    @Test
    void aClientsTraceparentIsContinued() {
        String room = "trace:client";
        String clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String clientSpan = "00f067aa0ba902b7";
        try (Peer alice = peer(0, "alice", room); Peer bob = peer(1, "bob", room)) {
            bob.subscribe(room, false);
            publishAcked(alice, room, "m-trace-2", "00-" + clientTrace + "-" + clientSpan + "-01");
            awaitMessage(bob, "m-trace-2");

            Trace trace = awaitTrace("m-trace-2", room, 1);
            assertThat(trace.publish.getTraceId()).isEqualTo(clientTrace);
            assertThat(trace.publish.getParentSpanId()).isEqualTo(clientSpan);
            assertThat(trace.publish.getParentSpanContext().isRemote()).isTrue();
            assertConnected(trace);
        }
    }

    @Test
    void aBackendsTraceparentMetadataIsContinuedThroughThePublicApi() {
        String room = "trace:api";
        String backendTrace = "0af7651916cd43dd8448eb211c80319c";
        String backendSpan = "b7ad6b7169203331";
        ManagedChannel channel = SystemCluster.routerChannel(cluster, 0);
        try (Peer bob = peer(1, "bob", room)) {
            bob.subscribe(room, false);
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
                    "00-" + backendTrace + "-" + backendSpan + "-01");
            new ServiceApi(channel, SystemCluster.serviceToken("backend", "publish")).blocking()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .publish(io.switchboard.proto.api.v1.PublishRequest.newBuilder().setRoom(room).setId("m-trace-3")
                            .setPayload(ByteString.copyFromUtf8("from a backend")).build());
            awaitMessage(bob, "m-trace-3");

            Map<String, List<SpanData>> spans = awaitSpans(backendTrace, 1);
            assertThat(spans.keySet()).as("no gateway publish span: the backend called the router")
                    .containsExactlyInAnyOrder("route", "send", "deliver");
            SpanData route = spans.get("route").getFirst();
            assertThat(route.getParentSpanId()).isEqualTo(backendSpan);
            assertThat(route.getParentSpanContext().isRemote()).isTrue();
            assertThat(route.getAttributes().get(MESSAGE_ID)).isEqualTo("m-trace-3");
            SpanData send = spans.get("send").getFirst();
            assertThat(send.getParentSpanId()).isEqualTo(route.getSpanId());
            assertThat(spans.get("deliver")).singleElement().satisfies(d -> {
                assertThat(d.getParentSpanId()).isEqualTo(send.getSpanId());
                assertThat(d.getResource().getAttribute(INSTANCE)).isEqualTo("gateway-2");
            });
        } finally {
            SystemCluster.shutdown(channel);
        }
    }

    /** Every span of the trace, by role; waits until the publish's spans and {@code deliveries} deliveries ended. */
    private static Trace awaitTrace(String messageId, String room, int deliveries) {
        SpanData publish = await().atMost(Peer.WAIT).until(() -> SPANS.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("publish") && messageId.equals(s.getAttributes().get(MESSAGE_ID)))
                .findFirst(), Optional::isPresent).orElseThrow();
        Map<String, List<SpanData>> byName = awaitSpans(publish.getTraceId(), deliveries);
        assertThat(byName.keySet()).as("spans of the trace: %s", byName)
                .containsExactlyInAnyOrder("publish", "route", "send", "deliver");
        assertThat(byName.get("route")).hasSize(1);
        assertThat(byName.get("send")).hasSize(1);
        assertThat(byName.get("deliver")).as("one per gateway with subscribers, not per subscriber")
                .hasSize(deliveries)
                .allSatisfy(d -> assertThat(d.getAttributes().get(ROOM)).isEqualTo(room));
        return new Trace(publish, byName.get("route").getFirst(), byName.get("send").getFirst(),
                byName.get("deliver"));
    }

    /**
     * The ended spans of trace {@code traceId} by the first word of their name, once its route and send and
     * {@code deliveries} deliveries have ended.
     */
    private static Map<String, List<SpanData>> awaitSpans(String traceId, int deliveries) {
        List<SpanData> spans = await().atMost(Peer.WAIT).until(() -> SPANS.getFinishedSpanItems().stream()
                        .filter(s -> s.getTraceId().equals(traceId)).toList(),
                all -> all.stream().filter(s -> s.getName().startsWith("deliver ")).count() >= deliveries
                        && all.stream().anyMatch(s -> s.getName().startsWith("send "))
                        && all.stream().anyMatch(s -> s.getName().equals("route")));
        return spans.stream().collect(Collectors.groupingBy(s -> s.getName().split(" ")[0]));
    }

    private static void assertConnected(Trace t) {
        assertThat(t.publish.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(t.publish.getResource().getAttribute(INSTANCE)).isEqualTo("gateway-1");
        assertThat(t.route.getParentSpanId()).as("route's parent").isEqualTo(t.publish.getSpanId());
        assertThat(t.route.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(t.route.getResource().getAttribute(INSTANCE)).isEqualTo("router-1");
        assertThat(t.send.getParentSpanId()).as("send's parent").isEqualTo(t.route.getSpanId());
        assertThat(t.send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(t.deliveries).allSatisfy(d -> {
            assertThat(d.getParentSpanId()).as("deliver's parent").isEqualTo(t.send.getSpanId());
            assertThat(d.getParentSpanContext().isRemote()).as("continued from the record's headers").isTrue();
            assertThat(d.getKind()).isEqualTo(SpanKind.CONSUMER);
        });
        Map<String, Long> delivered = t.deliveries.stream().collect(Collectors.toMap(
                d -> d.getResource().getAttribute(INSTANCE), d -> d.getAttributes().get(SUBSCRIBERS)));
        Set<String> gateways = t.deliveries.size() == 2 ? Set.of("gateway-1", "gateway-2") : Set.of("gateway-2");
        assertThat(delivered.keySet()).isEqualTo(gateways);
        assertThat(delivered.values()).allSatisfy(n -> assertThat(n).isEqualTo(1L));
    }

    private static Peer peer(int gateway, String user, String room) {
        return SystemCluster.peer(cluster, gateway, user, room);
    }

    private static void awaitMessage(Peer peer, String id) {
        peer.awaitFrame(f -> f.hasMessage() && f.getMessage().getId().equals(id));
    }

    /** Publishes with an ack and asserts that the answer is the ack (not an error). */
    private static void publishAcked(Peer peer, String room, String id, String traceparent) {
        int requestId = peer.nextRequestId();
        peer.send(ClientFrame.newBuilder().setPublish(Publish.newBuilder().setRequestId(requestId).setRoom(room)
                .setId(id).setPayload(ByteString.copyFromUtf8("hello")).setAck(true).setTraceparent(traceparent))
                .build());
        ServerFrame ack = peer.reply(requestId);
        assertThat(ack.hasAck()).as("ack: %s", ack).isTrue();
    }

    private record Trace(SpanData publish, SpanData route, SpanData send, List<SpanData> deliveries) {
    }
}
