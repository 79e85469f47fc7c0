package io.switchboard.auth.capability;

/** A {@code rooms} or {@code direct} claim that cannot be read; the message names the claim and the problem. */
public final class CapabilityException extends Exception {
    private static final long serialVersionUID = 1L;

    public CapabilityException(String message) {
        super(message, null, false, false);
    }
}
