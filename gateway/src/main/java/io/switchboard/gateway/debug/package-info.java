/**
 * Debug mode: time-limited frame logging for one connection, one user or one room, started and ended through the
 * admin endpoint ({@code /admin/debug}). {@link io.switchboard.gateway.debug.DebugSessions} holds what is being
 * debugged, each connection's {@link io.switchboard.gateway.debug.FrameTap} logs its matching frames (payloads and
 * tokens redacted by {@link io.switchboard.gateway.debug.FrameRedactor} unless payloads were asked for; tokens
 * always). While nothing is debugged a tap costs one volatile read per frame.
 */
package io.switchboard.gateway.debug;
