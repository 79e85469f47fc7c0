package io.switchboard.bench.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.switchboard.proto.client.v1.ServerFrame;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * One broadcast: the message is encoded once per subprotocol its subscribers speak, and every subscriber gets a
 * retained duplicate of those bytes (a frame object, no copy). Subscribers on the publisher's event loop are
 * written at once, those of every other loop by one task on that loop, so a room spread over N loops costs N-1
 * tasks, not one per subscriber. Per subscriber and per publisher loop, messages keep their publish order.
 */
final class NettyFanout {
    private NettyFanout() {
    }

    /** Writes {@code message}, published on {@code publisher}'s loop, to {@code subscribers}. */
    static void broadcast(NettyBaselineConnection publisher, Collection<NettyBaselineConnection> subscribers,
                          ServerFrame message) {
        Map<EventLoop, List<NettyBaselineConnection>> byLoop = new IdentityHashMap<>();
        boolean anyJson = false;
        boolean anyBinary = false;
        for (NettyBaselineConnection s : subscribers) {
            byLoop.computeIfAbsent(s.eventLoop(), loop -> new ArrayList<>()).add(s);
            anyJson |= s.json();
            anyBinary |= !s.json();
        }
        if (byLoop.isEmpty()) {
            return;
        }
        ByteBufAllocator alloc = publisher.alloc();
        Encoded encoded = new Encoded(anyBinary ? NettyFrames.encode(alloc, message, false) : null,
                anyJson ? NettyFrames.encode(alloc, message, true) : null);
        try {
            EventLoop here = publisher.eventLoop();
            for (Map.Entry<EventLoop, List<NettyBaselineConnection>> e : byLoop.entrySet()) {
                if (e.getKey() == here) {
                    deliver(e.getValue(), encoded);
                } else {
                    dispatch(e.getKey(), e.getValue(), encoded.retain());
                }
            }
        } finally {
            encoded.release();
        }
    }

    private static void dispatch(EventLoop loop, List<NettyBaselineConnection> subscribers, Encoded encoded) {
        try {
            loop.execute(() -> {
                try {
                    deliver(subscribers, encoded);
                } finally {
                    encoded.release();
                }
            });
        } catch (RejectedExecutionException e) {
            encoded.release(); // the loop is shutting down: its channels are closing anyway
        }
    }

    private static void deliver(List<NettyBaselineConnection> subscribers, Encoded encoded) {
        for (NettyBaselineConnection s : subscribers) {
            s.deliver(encoded.frameFor(s.json()));
        }
    }

    /** A message's bytes in the subprotocols its subscribers speak (null where none does); reference-counted. */
    private record Encoded(ByteBuf binary, ByteBuf text) {
        WebSocketFrame frameFor(boolean json) {
            return NettyFrames.frame((json ? text : binary).retainedDuplicate(), json);
        }

        Encoded retain() {
            if (binary != null) {
                binary.retain();
            }
            if (text != null) {
                text.retain();
            }
            return this;
        }

        void release() {
            if (binary != null) {
                binary.release();
            }
            if (text != null) {
                text.release();
            }
        }
    }
}
