package io.switchboard.gateway.ws.netty;

import java.time.Duration;
import java.util.Objects;

/**
 * What the Netty listener is built with. Immutable, validated here.
 *
 * @param host             interface to bind
 * @param port             port to bind; 0 picks a free one
 * @param path             the WebSocket endpoint's path (other paths: HTTP 404)
 * @param maxFrameBytes    largest client message after reassembling its fragments (beyond: close 1009)
 * @param maxHeaderBytes   largest upgrade request head (beyond: HTTP 431)
 * @param idleTimeout      a connection that sends nothing for this long is closed
 * @param handshakeTimeout a connection that has not upgraded within this time is closed
 */
public record NettySettings(String host, int port, String path, int maxFrameBytes, int maxHeaderBytes,
                            Duration idleTimeout, Duration handshakeTimeout) {
    public NettySettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: '" + path + "' (expected: starts with '/')");
        }
        if (maxFrameBytes <= 0) {
            throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " (expected: > 0)");
        }
        if (maxHeaderBytes <= 0) {
            throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: > 0)");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout: " + handshakeTimeout + " (expected: > 0)");
        }
    }
}
