/**
 * Client channels to a service that runs as several interchangeable replicas (the history service): a name
 * resolver for a list of {@code host:port} entries, each of which may resolve to several addresses, and the
 * channel's policy around it (round robin over the replicas that pass gRPC health checks, a retry on another
 * replica when one is unavailable, and a count of those retries).
 */
package io.switchboard.service.grpc;
