package io.switchboard.router.api;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Locale;

/**
 * SwitchboardApi metrics, registered in the registry it is given (never the default one) and removed again by
 * {@link #unregister()}. Thread-safe.
 *
 * <ul>
 * <li>{@code switchboard_api_calls_total{method,code}}: finished calls by method and gRPC status code,
 * authentication and rate-limit refusals included (counted by {@link #interceptor()})</li>
 * <li>{@code switchboard_api_stream_messages_total{outcome}}: PublishStream messages: {@code received},
 * {@code acknowledged}, {@code failed}</li>
 * <li>{@code switchboard_api_publish_ack_duration_seconds}: API receive to the router's acknowledgement of each
 * published message (Publish, PublishStream, PublishMany)</li>
 * </ul>
 */
public final class ApiMetrics {
    /** The {@code outcome} label of stream messages. */
    enum StreamOutcome {
        RECEIVED, ACKNOWLEDGED, FAILED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final PrometheusRegistry registry;
    private final Counter calls;
    private final Counter streamMessages;
    private final Histogram ackLatency;

    public ApiMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        this.calls = Counter.builder()
                .name("switchboard_api_calls_total")
                .help("SwitchboardApi calls by method and gRPC status code")
                .labelNames("method", "code")
                .build();
        this.streamMessages = Counter.builder()
                .name("switchboard_api_stream_messages_total")
                .help("PublishStream messages by outcome")
                .labelNames("outcome")
                .build();
        for (StreamOutcome o : StreamOutcome.values()) {
            streamMessages.initLabelValues(o.label());
        }
        this.ackLatency = Histogram.builder()
                .name("switchboard_api_publish_ack_duration_seconds")
                .help("Time from receiving a publish on the API to the router's acknowledgement")
                .unit(Unit.SECONDS)
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .build();
        registry.register(calls);
        registry.register(streamMessages);
        registry.register(ackLatency);
    }

    /** Counts every call that passes it when it closes; install it outside the authentication interceptor. */
    ServerInterceptor interceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                String method = call.getMethodDescriptor().getBareMethodName();
                return next.startCall(new SimpleForwardingServerCall<>(call) {
                    @Override
                    public void close(Status status, Metadata trailers) {
                        calls.labelValues(method, status.getCode().name()).inc();
                        super.close(status, trailers);
                    }
                }, headers);
            }
        };
    }

    void streamMessage(StreamOutcome outcome) {
        streamMessages.labelValues(outcome.label()).inc();
    }

    /** A message the router acknowledged {@code nanos} after the API received it. */
    void acknowledged(long nanos) {
        ackLatency.observe(nanos / 1e9);
    }

    /** Calls of {@code method} (bare name, e.g. "Publish") that ended with {@code code} so far. */
    public long calls(String method, Status.Code code) {
        return (long) calls.labelValues(method, code.name()).get();
    }

    /** Stream messages with {@code outcome} so far. */
    long streamMessages(StreamOutcome outcome) {
        return (long) streamMessages.labelValues(outcome.label()).get();
    }

    /** Removes these metrics from the registry. */
    public void unregister() {
        registry.unregister(calls);
        registry.unregister(streamMessages);
        registry.unregister(ackLatency);
    }
}
