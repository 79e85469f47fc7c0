package io.switchboard.client;

/** What the client does after a close code: the one table of docs/protocol.md section 6. Stateless. */
final class CloseCodes {
    /** The reaction to a close. */
    enum Action {
        /** Reconnect with backoff, then resume. */
        RECONNECT,
        /** 3000 SERVER_SHUTDOWN: reconnect after a random delay within the Drain hint (backoff without one). */
        RECONNECT_AFTER_DRAIN,
        /** 3501 TOKEN_EXPIRED: fetch a new token, then reconnect. */
        REFRESH_TOKEN_AND_RECONNECT,
        /** Reconnecting as-is would fail again or is not wanted: the client closes. */
        CLOSE
    }

    private CloseCodes() {
    }

    static Action action(int code) {
        if (code == 3000) {
            return Action.RECONNECT_AFTER_DRAIN;
        }
        if (code == 3501) {
            return Action.REFRESH_TOKEN_AND_RECONNECT;
        }
        if (code == 1002 || code == 1007 || code == 1009 || (code >= 3500 && code <= 4999)) {
            // 1002, 1007, 1009: frames the client got wrong; 3500 INVALID_TOKEN, 3502 PROTOCOL_ERROR,
            // 3503 DISCONNECTED, the rest of 3500-3999 by range,
            // and application codes 4000-4999 (terminal unless the application reconnects itself).
            return Action.CLOSE;
        }
        // 3000-3499 by range, 1001, 1006, 1011, and anything else a broken network produces.
        return Action.RECONNECT;
    }
}
