package io.switchboard.client;

import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * A failure reported by the server (an Error frame or a close code) or detected by the client (timeout,
 * offline queue full, client closed). {@link #code()} is a number of the protocol's one code table
 * (enum {@code ErrorCode}, or 4000-4999 for application close codes).
 */
public final class SwitchboardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final boolean retriable;
    private final String room;

    public SwitchboardException(int code, String message, boolean retriable, String room) {
        super(message);
        this.code = code;
        this.retriable = retriable;
        this.room = room == null ? "" : room;
    }

    public SwitchboardException(ErrorCode code, String message, boolean retriable) {
        this(code.getNumber(), message, retriable, "");
    }

    static SwitchboardException of(Error error) {
        return new SwitchboardException(error.getCodeValue(), error.getMessage(), error.getRetriable(), error.getRoom());
    }

    /** The protocol code (error or close code). */
    public int code() {
        return code;
    }

    /** The code as the protocol enum, or {@code null} for codes it does not name (e.g. 4000-4999, 1006). */
    public ErrorCode errorCode() {
        return ErrorCode.forNumber(code);
    }

    /** True when the same request may succeed later (publishes: with the same id). */
    public boolean retriable() {
        return retriable;
    }

    /** The room the error concerns, or "". */
    public String room() {
        return room;
    }

    @Override
    public String getMessage() {
        ErrorCode known = errorCode();
        return (known != null ? known.name() : Integer.toString(code)) + ": " + super.getMessage();
    }
}
