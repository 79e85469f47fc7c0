package io.switchboard.router.api;

import java.util.Map;
import java.util.UUID;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.switchboard.service.telemetry.Tracing;

/**
 * The W3C trace context a backend sends as gRPC metadata ({@code traceparent}, {@code tracestate}) with a public
 * API call: kept in the call's context, from which each publish of the call takes it into its internal request's
 * {@code trace_context}, so that the router's spans continue the backend's trace (for {@code Publish} and {@code
 * PublishMany}; a {@code PublishStream}'s messages do not). Its trace id becomes the envelope's. A call without
 * {@code traceparent} costs one metadata lookup. Stateless, thread-safe.
 */
final class TraceMetadata implements ServerInterceptor {
    static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> TRACESTATE = Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Map<String, String>> KEY = Context.key("switchboard-trace-context");

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                       ServerCallHandler<Q, A> next) {
        String traceparent = headers.get(TRACEPARENT);
        if (traceparent == null) {
            return next.startCall(call, headers);
        }
        String tracestate = headers.get(TRACESTATE);
        Map<String, String> context = tracestate == null ? Map.of("traceparent", traceparent)
                : Map.of("traceparent", traceparent, "tracestate", tracestate);
        return Contexts.interceptCall(Context.current().withValue(KEY, context), call, headers, next);
    }

    /** The current call's trace context; empty when it sent none (or off the call's thread). */
    static Map<String, String> current() {
        Map<String, String> context = KEY.get();
        return context == null ? Map.of() : context;
    }

    /** The trace id of {@code context}'s {@code traceparent}, else a random one. */
    static String traceId(Map<String, String> context) {
        String id = Tracing.traceIdOf(context.get("traceparent"));
        return id != null ? id : UUID.randomUUID().toString().replace("-", "");
    }
}
