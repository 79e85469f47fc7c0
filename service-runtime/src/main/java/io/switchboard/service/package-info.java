/**
 * Process plumbing shared by the grpc-java tiers (router, history service, presence service): the small HTTP side
 * with Prometheus metrics and liveness/readiness, a log manager that keeps the shutdown log lines, and the config
 * pieces every tier reads the same way (value checks, instance ids, unknown keys, the shared {@code kafka.*}
 * section). Nothing here knows about messages, rooms or presence.
 */
package io.switchboard.service;
