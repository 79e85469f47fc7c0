package io.switchboard.gateway.ws;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.websocket.WsUpgrader;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.switchboard.gateway.ws.deflate.DeflateWsConnection;
import io.switchboard.gateway.ws.deflate.MessageDeflater;
import io.switchboard.service.telemetry.LogContext;

/**
 * The transport side of one WebSocket connection (Helidon creates one listener per connection): negotiates the
 * subprotocol before the upgrade against the gateway's {@link ProtocolTable} (none of its offers: HTTP 400, before
 * any session exists; a {@code +batch} offer puts a {@link BatchingFrameSink} before the transport), reassembles fragmented
 * messages within the frame limit (1009 beyond it), rejects text that is not valid UTF-8 (1007), decodes with
 * the subprotocol's codec (PROTOCOL_ERROR when malformed) and hands frames to the connection's
 * {@link ConnectionHandler} (the session).
 *
 * <p>Helidon 4.5 decodes text frames with replacement characters and does not tell the listener when a
 * connection ends abruptly (e.g. after an oversized frame or a reset). So: U+FFFD in a text message is treated as
 * invalid UTF-8 (clients must escape a literal U+FFFD as {@code \ufffd} in JSON), and the gateway's
 * {@link TransportReaper} runs the session's cleanup once the connection's thread has ended, however it ended.
 *
 * <p>Not thread-safe: Helidon calls it from the connection's thread only (the reaper only touches the session).
 */
final class GatewayWsListener implements WsListener {
    private static final Logger LOG = Logger.getLogger(GatewayWsListener.class.getName());
    private static final char REPLACEMENT = '\uFFFD';

    private final ConnectionHandler.Factory sessions;
    private final WsProtocols protocols;
    private final int maxFrameBytes;
    private final SocketReadBuffer readBuffer;
    private final TransportReaper reaper;
    private Subprotocol subprotocol;
    private ConnectionHandler session;
    // The parts of a fragmented message, made at its first fragment and dropped once it is whole: an unfragmented
    // message (nearly all of them) is decoded as Helidon hands it over, and an idle connection keeps no copy of its
    // largest message so far (the Connect frame with its token).
    private ByteArrayOutputStream binaryParts;
    private StringBuilder textParts;
    private long partBytes;

    /**
     * @param sessions      opens the session of each connection; null while the gateway is not ready
     * @param protocols     the subprotocols offered, and how batches are made
     * @param maxFrameBytes largest client message, in bytes, after reassembly
     * @param readBuffer    the read buffer the connection's socket gets when it opens
     * @param reaper        cleans the session up once the connection's thread has ended
     */
    GatewayWsListener(ConnectionHandler.Factory sessions, WsProtocols protocols, int maxFrameBytes,
                      SocketReadBuffer readBuffer, TransportReaper reaper) {
        this.sessions = sessions;
        this.protocols = protocols;
        this.maxFrameBytes = maxFrameBytes;
        this.readBuffer = readBuffer;
        this.reaper = reaper;
    }

    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        if (sessions == null) {
            // Only reachable if the admission filter did not run; refuse rather than fail later.
            throw new WsUpgradeException("gateway is not ready");
        }
        List<String> offered = headers.contains(WsUpgrader.PROTOCOL) ? headers.get(WsUpgrader.PROTOCOL).allValues()
                : List.of();
        ProtocolOffer chosen = protocols.table().negotiate(offered).orElseThrow(() -> new WsUpgradeException(
                "Sec-WebSocket-Protocol: " + offered + " (expected: one of " + protocols.table().tokens() + ")"));
        WritableHeaders<?> response = WritableHeaders.create();
        response.set(WsUpgrader.PROTOCOL, chosen.token());
        return Optional.of(response);
    }

    @Override
    public void onOpen(WsSession ws) {
        ProtocolOffer negotiated = ws.subProtocol().flatMap(protocols.table()::ofToken)
                .orElseThrow(() -> new IllegalStateException("no negotiated subprotocol"));
        subprotocol = negotiated.encoding();
        if (ws.socketContext() instanceof ConnectionContext connection) {
            // The connection's thread, before its first WebSocket read: the socket is not being read now.
            readBuffer.applyTo(connection.serverSocket());
        }
        Thread connectionThread = Thread.currentThread();
        // A connection that negotiated permessage-deflate is the gateway's own (Helidon cannot read compressed frames).
        MessageDeflater deflater = null;
        if (ws instanceof DeflateWsConnection deflating) {
            deflater = deflating.deflater();
            protocols.metrics().compressedConnection();
        }
        FrameSink sink = protocols.sinkFor(negotiated, new HelidonFrameSink(ws, connectionThread, deflater));
        session = sessions.open(subprotocol, sink);
        // The connection's own thread: every line it logs from now on names the session.
        LogContext.session(session.id());
        reaper.watch(connectionThread, session::onTransportClosed);
    }

    @Override
    public void onMessage(WsSession ws, String text, boolean last) {
        if (!accept(Utf8.encodedLength(text))) {
            return;
        }
        if (!last) {
            if (textParts == null) {
                textParts = new StringBuilder();
            }
            textParts.append(text);
            return;
        }
        String message = textParts == null ? text : textParts.append(text).toString();
        reset();
        if (message.indexOf(REPLACEMENT) >= 0) {
            InboundMessage.invalidUtf8(session);
            return;
        }
        InboundMessage.text(session, subprotocol, message);
    }

    @Override
    public void onMessage(WsSession ws, BufferData buffer, boolean last) {
        int n = buffer.available();
        if (!accept(n)) {
            return;
        }
        byte[] chunk = new byte[n];
        buffer.read(chunk);
        if (!last) {
            if (binaryParts == null) {
                binaryParts = new ByteArrayOutputStream();
            }
            binaryParts.writeBytes(chunk);
            return;
        }
        byte[] message = chunk;
        if (binaryParts != null) {
            binaryParts.writeBytes(chunk);
            message = binaryParts.toByteArray();
        }
        reset();
        InboundMessage.binary(session, subprotocol, message);
    }

    @Override
    public void onPing(WsSession ws, BufferData buffer) {
        byte[] payload = new byte[buffer.available()];
        buffer.read(payload);
        session.onWsPing(payload);
    }

    @Override
    public void onClose(WsSession ws, int status, String reason) {
        LOG.fine(() -> "Client closed " + (session == null ? "?" : session.id()) + ": " + status + " " + reason);
        if (session != null) {
            session.onTransportClosed();
        }
        LogContext.clearSession();
    }

    @Override
    public void onError(WsSession ws, Throwable t) {
        LOG.log(Level.WARNING, "WebSocket error on " + (session == null ? "?" : session.id()), t);
        if (session != null) {
            session.onTransportClosed();
        }
        LogContext.clearSession();
    }

    /** Counts a fragment against the frame limit; closes with 1009 when the message grows beyond it. */
    private boolean accept(int bytes) {
        partBytes += bytes;
        if (partBytes > maxFrameBytes) {
            reset();
            InboundMessage.tooBig(session, maxFrameBytes);
            return false;
        }
        return true;
    }

    private void reset() {
        binaryParts = null;
        textParts = null;
        partBytes = 0;
    }
}
