package io.switchboard.gateway.routing;

/**
 * Every {@link PublishStreamTest} case again with {@code gateway.router-stream-on-event-loop}: the streams' answers,
 * the stream's end and the failover it starts are handled on the channel's own thread instead of gRPC's callback
 * executor.
 */
class PublishStreamOnEventLoopTest extends PublishStreamTest {
    @Override
    boolean answersOnEventLoop() {
        return true;
    }
}
