package io.switchboard.service.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ReplicaChannels} against real replicas on loopback ports: each a gRPC server with a one-method service that
 * answers its own name, and the standard health service. What a caller sees: calls spread over healthy replicas,
 * a replica that is not SERVING gets none, and one that is unavailable or gone costs a retry, not a failure.
 */
class ReplicaChannelsTest {
    private static final String SERVICE = "test.Replica";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(SERVICE + "/Who")
            .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();

    private final List<Replica> replicas = new ArrayList<>();
    private final AtomicInteger retries = new AtomicInteger();
    private ManagedChannel channel;

    @AfterEach
    void close() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        for (Replica r : replicas) {
            r.server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void spreadsCallsOverTheServingReplicas() {
        connect(replica("a", ServingStatus.SERVING, Status.OK), replica("b", ServingStatus.SERVING, Status.OK));

        Set<String> answered = new HashSet<>();
        await().atMost(WAIT).untilAsserted(() -> {
            answered.add(call());
            assertThat(answered).containsExactlyInAnyOrder("a", "b");
        });
        assertThat(retries).hasValue(0);
    }

    @Test
    void sendsNothingToAReplicaWhoseHealthIsNotServing() {
        // A history replica catching up reports NOT_SERVING: it must not be asked.
        connect(replica("a", ServingStatus.SERVING, Status.OK), replica("b", ServingStatus.NOT_SERVING, Status.OK));

        for (int i = 0; i < 20; i++) {
            assertThat(call()).isEqualTo("a");
        }
        assertThat(replicas.get(1).calls).hasValue(0);
    }

    @Test
    void retriesOnAnotherReplicaWhenOneAnswersUnavailable() {
        connect(replica("a", ServingStatus.SERVING, Status.OK),
                replica("b", ServingStatus.SERVING, Status.UNAVAILABLE.withDescription("not caught up")));
        // Both connected and healthy first, so that round robin really alternates.
        await().atMost(WAIT).until(() -> {
            call();
            return replicas.get(1).calls.get() > 0;
        });

        for (int i = 0; i < 20; i++) {
            assertThat(call()).isEqualTo("a");
        }
        assertThat(retries).hasValueGreaterThanOrEqualTo(replicas.get(1).calls.get());
    }

    @Test
    void keepsAnsweringWhenAReplicaDies() throws InterruptedException {
        connect(replica("a", ServingStatus.SERVING, Status.OK), replica("b", ServingStatus.SERVING, Status.OK));
        await().atMost(WAIT).until(() -> "b".equals(call()));

        replicas.get(1).server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            assertThat(call()).isEqualTo("a");
        }
    }

    @Test
    void theHealthCheckOutlivesTheCallThatConnected() throws Exception {
        // The router's public API calls the history service from inside its own server call, whose Context is
        // cancelled when that call ends. When such a call is the one that connects the channel (an in-process
        // replica connects at once, in the calling thread), grpc-java starts the health check's stream in the
        // thread's Context. It must not be the caller's: its end would end the health check and take a healthy
        // replica out of rotation, so the next read would fail UNAVAILABLE.
        String name = InProcessServerBuilder.generateName();
        replica(InProcessServerBuilder.forName(name).directExecutor(), "a", ServingStatus.SERVING, Status.OK);
        channel = inProcess(name);

        Context.CancellableContext serverCall = Context.current().withCancellation();
        assertThat(serverCall.call(this::call)).isEqualTo("a");
        serverCall.cancel(null);

        assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);
        assertThat(call()).isEqualTo("a");
        assertThat(retries).hasValue(0);
    }

    @Test
    void aCallKeepsTheDeadlineAndCancellationOfTheContextItStartedIn() throws Exception {
        // Started outside the caller's Context (above), a read still carries the caller's deadline to the replica
        // and ends when the caller's call ends.
        String name = InProcessServerBuilder.generateName();
        AtomicReference<Deadline> seen = new AtomicReference<>();
        replica(InProcessServerBuilder.forName(name).directExecutor(), ServingStatus.SERVING,
                (request, responses) -> seen.set(Context.current().getDeadline())); // never answers
        channel = inProcess(name);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            Context.CancellableContext serverCall = Context.current().withDeadlineAfter(1, TimeUnit.HOURS, timer);
            Future<String> read = serverCall.call(() -> ClientCalls.futureUnaryCall(
                    channel.newCall(WHO, CallOptions.DEFAULT), "who"));
            await().atMost(WAIT).until(() -> seen.get() != null); // the replica has the call
            assertThat(seen.get().timeRemaining(TimeUnit.MINUTES)).isBetween(58L, 60L);

            serverCall.cancel(null);
            assertThat(Status.fromThrowable(catchThrowable(read::get)).getCode()).isEqualTo(Status.Code.CANCELLED);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aCallerWhoseDeadlinePassesSeesDeadlineExceeded() throws Exception {
        String name = InProcessServerBuilder.generateName();
        replica(InProcessServerBuilder.forName(name).directExecutor(), ServingStatus.SERVING,
                (request, responses) -> { }); // never answers
        channel = inProcess(name);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            Context.CancellableContext serverCall = Context.current().withDeadlineAfter(200, TimeUnit.MILLISECONDS,
                    timer);
            Future<String> read = serverCall.call(() -> ClientCalls.futureUnaryCall(
                    channel.newCall(WHO, CallOptions.DEFAULT), "who"));
            assertThat(Status.fromThrowable(catchThrowable(read::get)).getCode())
                    .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aTargetNeedsAtLeastOneReplicaAndQuotesIpv6Literals() {
        assertThatThrownBy(() -> ReplicaNameResolverProvider.target(List.of()))
                .hasMessage("replicas: [] (expected: at least one host:port)");
        assertThat(ReplicaNameResolverProvider.target(List.of("h1:7080", "[::1]:7080")))
                .isEqualTo("replicas:///h1:7080,%5B::1%5D:7080");
    }

    private void connect(Replica... targets) {
        List<String> addresses = List.of(targets).stream().map(r -> "127.0.0.1:" + r.server.getPort()).toList();
        channel = ReplicaChannels.channel(addresses, SERVICE, InsecureChannelCredentials.create(),
                builder -> builder.userAgent("test"), retries::incrementAndGet);
    }

    private ManagedChannel inProcess(String name) {
        return ReplicaChannels.build(InProcessChannelBuilder.forName(name).directExecutor(), SERVICE,
                builder -> builder.userAgent("test"), retries::incrementAndGet);
    }

    private String call() {
        return ClientCalls.blockingUnaryCall(channel, WHO,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "who");
    }

    private record Replica(Server server, AtomicInteger calls) { }

    /** A replica answering {@code name}, or failing with {@code failure} unless it is OK. */
    private Replica replica(String name, ServingStatus health, Status failure) {
        return replica(Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()), name, health, failure);
    }

    private Replica replica(ServerBuilder<?> builder, String name, ServingStatus health, Status failure) {
        return replica(builder, health, (request, responses) -> {
            if (failure.isOk()) {
                responses.onNext(name);
                responses.onCompleted();
            } else {
                responses.onError(failure.asRuntimeException());
            }
        });
    }

    /** A replica whose health reports {@code health} and whose one method is {@code who}, counting its calls. */
    private Replica replica(ServerBuilder<?> builder, ServingStatus health, ServerCalls.UnaryMethod<String, String> who) {
        AtomicInteger calls = new AtomicInteger();
        HealthStatusManager status = new HealthStatusManager();
        status.setStatus(SERVICE, health);
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(WHO, ServerCalls.asyncUnaryCall((request, responses) -> {
                    calls.incrementAndGet();
                    who.invoke(request, responses);
                })).build();
        try {
            Server server = builder.addService(service).addService(status.getHealthService()).build().start();
            Replica replica = new Replica(server, calls);
            replicas.add(replica);
            return replica;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
