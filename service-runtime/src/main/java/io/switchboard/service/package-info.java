/**
 * Process plumbing shared by the tiers (gateway, router, history service, presence service): the main, the
 * lifecycle state machine and release steps, a log manager that keeps the shutdown log lines, the config pieces
 * every tier reads the same way (layering, value readers and checks, instance ids, unknown keys, the shared
 * {@code kafka.*} section), and for the grpc-java tiers the gRPC server and the small HTTP side with Prometheus
 * metrics and liveness/readiness (the gateway serves those from its own Helidon port). Nothing here knows about
 * messages, rooms or presence.
 */
package io.switchboard.service;
