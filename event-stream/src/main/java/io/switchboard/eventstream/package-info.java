/**
 * The client side of a Server-Sent Events stream, as the gateway's HTTP fallback sends it (docs/protocol.md,
 * HTTP fallback): {@link io.switchboard.eventstream.EventStreamReader} turns its lines into events. Shared by the
 * Java SDK's fallback transport and the gateway's test client, which may not depend on each other.
 */
package io.switchboard.eventstream;
