package io.switchboard.bench.baseline;

import io.switchboard.proto.client.v1.ServerFrame;
import java.util.Collection;

/**
 * What a {@link BaselineSession} needs from its transport's connection: a reply to this client, a protocol-error
 * close, and a room's broadcast, which each transport writes in its own best way.
 *
 * @param <P> the transport's connection type, which is also what a room holds
 */
public interface BaselinePeer<P extends BaselinePeer<P>> {
    /** Sends {@code frame} to this client. */
    void reply(ServerFrame frame);

    /** Closes this connection with {@link BaselineFrames#PROTOCOL_ERROR} and {@code reason}. */
    void refuse(String reason);

    /**
     * Writes {@code message}, published by this client, to every one of {@code subscribers} (this client among them
     * when it is a member), before this client's ack is sent.
     */
    void broadcast(Collection<P> subscribers, ServerFrame message);
}
