package io.switchboard.proto;

import java.util.Optional;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * Why a router refused or failed a {@code RouterService} call, carried machine-readably as a
 * {@code google.rpc.ErrorInfo} (reason = the constant's name, domain = {@link #DOMAIN}) in the status details of
 * the call's error, beside the gRPC code and a human-readable description. Callers decide on the reason, never
 * on the description's wording. The names are the contract: a name may be added, never changed or reused.
 *
 * <table>
 *   <caption>Reasons and the gRPC code each goes with</caption>
 *   <tr><th>reason</th><th>gRPC code</th><th>meaning</th></tr>
 *   <tr><td>INVALID_REQUEST</td><td>INVALID_ARGUMENT</td><td>a field is malformed (the description names it)</td></tr>
 *   <tr><td>ID_REUSED</td><td>INVALID_ARGUMENT</td><td>the idempotency id was already published to another room</td></tr>
 *   <tr><td>PAYLOAD_TOO_LARGE</td><td>RESOURCE_EXHAUSTED</td><td>the payload exceeds the router's limit</td></tr>
 *   <tr><td>RECORD_TOO_LARGE</td><td>RESOURCE_EXHAUSTED</td><td>Kafka refused the record as too large for the
 *       producer, broker or topic ({@code max.request.size}, {@code message.max.bytes}, {@code max.message.bytes})</td></tr>
 *   <tr><td>TOO_MANY_IN_FLIGHT</td><td>RESOURCE_EXHAUSTED</td><td>the router is busy; retry later or elsewhere</td></tr>
 *   <tr><td>KAFKA_UNAVAILABLE</td><td>UNAVAILABLE</td><td>Kafka did not acknowledge; retry with the same id</td></tr>
 *   <tr><td>PRESENCE_NOT_CONFIGURED</td><td>UNAVAILABLE</td><td>the call needs the presence service, which the
 *       router does not know</td></tr>
 *   <tr><td>PRESENCE_UNAVAILABLE</td><td>UNAVAILABLE</td><td>the presence lookup failed</td></tr>
 *   <tr><td>CALL_ENDED</td><td>CANCELLED or DEADLINE_EXCEEDED</td><td>the caller gave up before anything was sent</td></tr>
 *   <tr><td>OUT_OF_SEQUENCE</td><td>ABORTED</td><td>an earlier publish of the request's {@code PublishSequence} lane
 *       was not stored (it failed, or is still missing here): nothing was sent; resend from the first failed one,
 *       in order</td></tr>
 * </table>
 *
 * Stateless, thread-safe.
 */
public enum RouterErrorReason {
    INVALID_REQUEST,
    ID_REUSED,
    PAYLOAD_TOO_LARGE,
    RECORD_TOO_LARGE,
    TOO_MANY_IN_FLIGHT,
    KAFKA_UNAVAILABLE,
    PRESENCE_NOT_CONFIGURED,
    PRESENCE_UNAVAILABLE,
    CALL_ENDED,
    OUT_OF_SEQUENCE;

    /** The {@code ErrorInfo.domain} of router errors. */
    public static final String DOMAIN = "router.switchboard.io";

    /**
     * {@code status} (code and description) as the exception a gRPC service answers with, this reason in its
     * details.
     */
    public StatusRuntimeException toException(Status status) {
        com.google.rpc.Status details = com.google.rpc.Status.newBuilder()
                .setCode(status.getCode().value())
                .setMessage(status.getDescription() == null ? "" : status.getDescription())
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(name()).setDomain(DOMAIN).build()))
                .build();
        return StatusProto.toStatusRuntimeException(details);
    }

    /**
     * The router reason carried by a failed call's exception ({@code StatusRuntimeException} or
     * {@code StatusException}, as a call's future reports it); empty when there is none (the transport's own
     * failures, another domain, or a reason this version does not know).
     */
    public static Optional<RouterErrorReason> of(Throwable failure) {
        com.google.rpc.Status details = StatusProto.fromThrowable(failure);
        if (details == null) {
            return Optional.empty();
        }
        for (Any detail : details.getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                try {
                    ErrorInfo info = detail.unpack(ErrorInfo.class);
                    if (DOMAIN.equals(info.getDomain())) {
                        return known(info.getReason());
                    }
                } catch (InvalidProtocolBufferException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<RouterErrorReason> known(String reason) {
        for (RouterErrorReason r : values()) {
            if (r.name().equals(reason)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
