package io.switchboard.bench.netty;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.switchboard.bench.baseline.BaselineFrames;
import io.switchboard.bench.baseline.BaselineRooms;

/**
 * Each accepted connection's pipeline: flush consolidation at the head (flushes during a read wait for its end,
 * others for the end of the event loop's batch), HTTP until the handshake (whose handler replaces the codec and the
 * aggregator), the subprotocol gate, the WebSocket protocol handler (pings, closes, 64 KiB frames), the frame
 * aggregator and the connection. Thread-safe: one instance serves every channel.
 */
final class BaselineChannelInitializer extends ChannelInitializer<SocketChannel> {
    static final String PATH = "/ws";
    private static final int MAX_FRAME_BYTES = 64 * 1024;
    private static final int MAX_HANDSHAKE_BYTES = 8 * 1024;
    // One flush per this many writes at most, when a batch is long.
    private static final int FLUSH_AFTER_WRITES = 256;

    private final BaselineRooms<NettyBaselineConnection> rooms;
    private final WebSocketServerProtocolConfig protocol = WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(PATH)
            .subprotocols(BaselineFrames.SUBPROTOCOL + "," + BaselineFrames.JSON_SUBPROTOCOL)
            .maxFramePayloadLength(MAX_FRAME_BYTES)
            .allowExtensions(false)
            .dropPongFrames(true)
            .build();

    BaselineChannelInitializer(BaselineRooms<NettyBaselineConnection> rooms) {
        this.rooms = rooms;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        ChannelPipeline p = channel.pipeline();
        p.addLast(new FlushConsolidationHandler(FLUSH_AFTER_WRITES, true));
        p.addLast(new HttpServerCodec());
        p.addLast(new HttpObjectAggregator(MAX_HANDSHAKE_BYTES));
        p.addLast(SubprotocolGate.INSTANCE);
        p.addLast(new WebSocketServerProtocolHandler(protocol));
        p.addLast(new WebSocketFrameAggregator(MAX_FRAME_BYTES));
        p.addLast(new NettyBaselineConnection(rooms, channel));
    }
}
