package io.switchboard.router;

import static io.switchboard.service.telemetry.SpanAttributes.DESTINATION;
import static io.switchboard.service.telemetry.SpanAttributes.MESSAGE_ID;
import static io.switchboard.service.telemetry.SpanAttributes.OUTCOME;
import static io.switchboard.service.telemetry.SpanAttributes.POSITION;
import static io.switchboard.service.telemetry.SpanAttributes.ROUTER_ID;

import java.util.function.BiConsumer;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.service.telemetry.LogContext;
import io.switchboard.service.telemetry.Tracing;

/**
 * The router's span of each publish, {@code route} (see docs/ops/tracing.md): a child of the gateway's span named
 * in the request's {@code trace_context}, from the request's arrival to its answer. The handler runs with the span
 * current, so that the room log's send ({@code KafkaEnvelopeLog}) becomes its child and passes it on in the
 * record's headers, and with the trace id in the thread's log lines. With tracing off the handler is called as it
 * is. Thread-safe.
 */
final class RouterSpans {
    private final Tracing tracing;
    private final String routerId;

    RouterSpans(Tracing tracing, String routerId) {
        this.tracing = tracing;
        this.routerId = routerId;
    }

    /** Hands {@code request} to {@code handler}, in a span that ends with the answer when tracing is on. */
    void publish(PublishRequest request, StreamObserver<PublishResponse> responses,
                 BiConsumer<PublishRequest, StreamObserver<PublishResponse>> handler) {
        if (!tracing.enabled()) {
            handler.accept(request, responses);
            return;
        }
        Span span = tracing.tracer().spanBuilder("route")
                .setParent(tracing.extract(request.getTraceContextMap(), Tracing.MAP))
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(DESTINATION, request.getEnvelope().getRoom())
                .setAttribute(MESSAGE_ID, request.getEnvelope().getId())
                .setAttribute(ROUTER_ID, routerId)
                .startSpan();
        LogContext.Scope logged = LogContext.trace(span.getSpanContext().getTraceId());
        Scope current = span.makeCurrent();
        try {
            handler.accept(request, new Ending(span, responses));
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            span.end();
            throw e;
        } finally {
            current.close();
            logged.close();
        }
    }

    /** Passes the answer on and ends the span with it. */
    private record Ending(Span span, StreamObserver<PublishResponse> next) implements StreamObserver<PublishResponse> {
        @Override
        public void onNext(PublishResponse response) {
            span.setAttribute(OUTCOME, response.getDuplicate() ? "duplicate" : "ok");
            span.setAttribute(POSITION, response.getPosition().getOffset());
            next.onNext(response);
        }

        @Override
        public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            span.setAttribute(OUTCOME, status.getCode().name());
            span.setStatus(StatusCode.ERROR, String.valueOf(status.getDescription()));
            span.end();
            next.onError(t);
        }

        @Override
        public void onCompleted() {
            span.end();
            next.onCompleted();
        }
    }
}
