package io.switchboard.bench.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Native epoll when this machine has it, NIO otherwise: the event loops' I/O and the server channel to match. */
record EventLoopTransport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel) {
    /** The best transport here. */
    static EventLoopTransport best() {
        return Epoll.isAvailable()
                ? new EventLoopTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class)
                : new EventLoopTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }

    /** {@code threads} event loops, named {@code netty-baseline-N}. */
    EventLoopGroup eventLoops(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("netty-baseline"), ioHandlers);
    }
}
